// Turns definitions from profiles.ts and authorities.ts into keys and
// certificates, in memory (certificate.ts encodes and signs; keys.ts makes or
// reads the keys). Nothing here touches the disk but the RSA key cache;
// store.ts decides what to generate and keeps it.
import { createPrivateKey, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import {
  AUTHORITIES,
  ORGANIZATION,
  type AuthorityDefinition,
  type AuthorityName,
  type Subtrees,
} from './authorities.js';
import {
  authorityKeyIdentifier,
  basicConstraints,
  extendedKeyUsage,
  fromPem,
  issueCertificate,
  keyId,
  keyUsage,
  name,
  nameConstraints,
  subjectAltName,
  subjectKeyIdentifier,
  subjectOf,
  toPem,
  unknownExtension,
  type Extension,
  type KeyUsage,
  type Names,
} from './certificate.js';
import { keyPair } from './keys.js';
import type { ResolvedProfile } from './profiles.js';

const DAY_MS = 86_400_000;

/** A certificate and the key that signs with it. */
export interface Signer {
  /** DER. */
  cert: Buffer;
  /** Its subject Name, DER: the issuer Name of what it signs. */
  subject: Buffer;
  /** Its subjectKeyIdentifier: the authorityKeyIdentifier of what it signs. */
  keyId: Buffer;
  privateKey: KeyObject;
  publicKey: KeyObject;
}

export interface Validity {
  notBefore: Date;
  notAfter: Date;
}

/** What one profile produced: the leaf's key and the chain its server presents. */
export interface BuiltProfile {
  privateKey: KeyObject;
  /** Leaf first, then whatever the server sends after it (DER). */
  chain: Buffer[];
  /** The validity of every certificate made for this profile, for the cache's expiry checks. */
  made: Validity[];
}

/** What a build needs besides the definition. */
export interface BuildContext {
  now: Date;
  /** The RSA key cache (keys.ts). */
  keysDir: string;
  /** The shared Conform root and intermediate. */
  shared: (name: 'root' | 'intermediate') => Signer;
  /** Extensions added to the leaf's own (a revocation leaf's URLs, certs/revocation.ts). */
  leafExtensions?: readonly Extension[];
}

const CA_USAGE: readonly KeyUsage[] = ['digitalSignature', 'keyCertSign', 'cRLSign'];

function window(now: Date, [from, to]: readonly [number, number]): Validity {
  // X.509 times have whole seconds.
  const at = (days: number) => new Date(Math.floor((now.getTime() + days * DAY_MS) / 1000) * 1000);
  return { notBefore: at(from), notAfter: at(to) };
}

/** 16 random bytes, positive and without a leading zero byte (RFC 5280 §4.1.2.2: at most 20 octets). */
function serialNumber(): Buffer {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes;
}

function subtrees(s: Subtrees | undefined): Names | undefined {
  if (!s) return undefined;
  return { ...s, dir: (s.organization ?? []).map((o) => name({ o })) };
}

/**
 * A root (issuer null), an intermediate signed by `issuer`, or, when the
 * definition cross-certifies `crossOf`, that authority's subject and key
 * issued again by `issuer`.
 */
export async function makeAuthority(
  def: AuthorityDefinition,
  issuer: Signer | null,
  ctx: Pick<BuildContext, 'now' | 'keysDir'>,
  crossOf?: Signer,
): Promise<{ signer: Signer; validity: Validity }> {
  const keys = crossOf ?? (await keyPair(def.key ?? 'ec-p256', ctx.keysDir));
  const subject = crossOf ? crossOf.subject : name({ cn: def.commonName, o: ORGANIZATION });
  const id = keyId(keys.publicKey);
  const nc = def.nameConstraints;
  const extensions: Extension[] = [
    basicConstraints(def.ca, def.pathLength),
    // keyCertSign even when cA is false: that profile's only fault is
    // basicConstraints, which a client looking at keyUsage alone misses.
    keyUsage(def.keyUsage ?? CA_USAGE),
    ...(nc ? [nameConstraints(subtrees(nc.permitted), subtrees(nc.excluded))] : []),
    ...(def.criticalExtension ? [unknownExtension(def.criticalExtension, true)] : []),
    subjectKeyIdentifier(id),
    ...(issuer ? [authorityKeyIdentifier(issuer.keyId)] : []),
  ];
  const validity = window(ctx.now, def.validDays);
  const cert = issueCertificate(
    {
      serial: serialNumber(),
      issuer: issuer?.subject ?? subject,
      subject,
      ...validity,
      publicKey: keys.publicKey,
      extensions,
    },
    issuer?.privateKey ?? keys.privateKey,
    def.signatureHash ?? 'SHA-256',
  );
  return { signer: { cert, subject, keyId: id, privateKey: keys.privateKey, publicKey: keys.publicKey }, validity };
}

function leafExtensions(p: ResolvedProfile, publicKey: KeyObject, issuer: Signer | null): Extension[] {
  // keyEncipherment for RSA keys, so that a TLS 1.2 RSA key exchange fails
  // only because of the profile's fault, not because of keyUsage.
  const usage: KeyUsage[] =
    publicKey.asymmetricKeyType === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature'];
  const id = keyId(publicKey);
  // No extendedKeyUsage at all when the profile lists none (RFC 5280 §4.2.1.12: then no purpose is excluded).
  const extensions: Extension[] = [
    basicConstraints(false),
    keyUsage(usage),
    ...(p.eku.length ? [extendedKeyUsage(p.eku)] : []),
  ];
  if (p.san) {
    const filler = Array.from({ length: p.san.filler ?? 0 }, (_, i) => `n${i + 1}.sans.conform.test`);
    // RFC 5280 §4.2.1.6: with an empty subject, the subjectAltName is critical.
    extensions.push(subjectAltName({ dns: [...filler, ...(p.san.dns ?? [])], ip: p.san.ip ?? [] }, p.emptySubject));
  }
  // The value is a DER NULL: what matters is that nobody knows the OID.
  if (p.criticalExtension) extensions.push(unknownExtension(p.criticalExtension, true));
  extensions.push(subjectKeyIdentifier(id));
  if (issuer) extensions.push(authorityKeyIdentifier(issuer.keyId));
  return extensions;
}

/**
 * Flips the lowest bit of the certificate's last byte. DER puts the signature
 * BIT STRING last, so that byte is the end of the signature: every length
 * stays intact and the certificate parses, but the signature no longer verifies.
 */
export function corruptSignature(cert: Buffer): Buffer {
  const der = Buffer.from(cert);
  der[der.length - 1]! ^= 0x01;
  return der;
}

/**
 * Builds one profile's leaf. `ctx.shared` returns the Conform root or
 * intermediate; per-profile authorities (the untrusted root, the broken
 * intermediates) are made here, each once, and thrown away with their keys.
 */
export async function buildProfile(p: ResolvedProfile, ctx: BuildContext): Promise<BuiltProfile> {
  const made: Validity[] = [];
  const authorities = new Map<AuthorityName, Promise<Signer>>();
  const authority = (n: AuthorityName): Promise<Signer> => {
    if (n === 'root' || n === 'intermediate') return Promise.resolve(ctx.shared(n));
    let pending = authorities.get(n);
    if (!pending) {
      const def: AuthorityDefinition = AUTHORITIES[n];
      pending = (async () => {
        const issuer = def.signedBy === 'self' ? null : await authority(def.signedBy as AuthorityName);
        const crossOf = def.crossCertifies ? await authority(def.crossCertifies) : undefined;
        const { signer, validity } = await makeAuthority(def, issuer, ctx, crossOf);
        made.push(validity);
        return signer;
      })();
      authorities.set(n, pending);
    }
    return pending;
  };

  const issuer = p.issuer === 'self' ? null : await authority(p.issuer);
  const keys = await keyPair(p.key, ctx.keysDir);
  const subject = p.emptySubject ? name({}) : name({ cn: p.commonName, o: ORGANIZATION });
  const validity = window(ctx.now, p.validDays);
  let leaf = issueCertificate(
    {
      serial: serialNumber(),
      issuer: issuer?.subject ?? subject,
      subject,
      ...validity,
      publicKey: keys.publicKey,
      extensions: [...leafExtensions(p, keys.publicKey, issuer), ...(ctx.leafExtensions ?? [])],
    },
    issuer?.privateKey ?? keys.privateKey,
    p.signatureHash,
  );
  if (p.corruptSignature) leaf = corruptSignature(leaf);
  made.push(validity);
  const sent = await Promise.all(p.sends.map(async (n) => (await authority(n)).cert));
  return { privateKey: keys.privateKey, chain: [leaf, ...sent], made };
}

export const certsToPem = toPem;

/** The cached RSA keys serve many profiles: each is exported once. */
const pemOf = new WeakMap<KeyObject, string>();

export function privateKeyToPem(key: KeyObject): string {
  let pem = pemOf.get(key);
  if (!pem) pemOf.set(key, (pem = key.export({ type: 'pkcs8', format: 'pem' }) as string));
  return pem;
}

/** Reads back an authority written by the store. */
export function importSigner(certPem: string, keyPem: string): Signer {
  const cert = fromPem(certPem)[0]!;
  const privateKey = createPrivateKey(keyPem);
  const publicKey = createPublicKey(privateKey);
  return { cert, subject: subjectOf(cert), keyId: keyId(publicKey), privateKey, publicKey };
}
