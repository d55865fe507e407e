// Turns definitions from profiles.ts into keys and certificates, in memory.
// Nothing here touches the disk; store.ts decides what to generate and keeps it.
import { randomBytes, webcrypto } from 'node:crypto';
import { AUTHORITIES, ORGANIZATION, type AuthorityDefinition } from './authorities.js';
import type { ExtendedKeyUsage, KeyKind, ResolvedProfile } from './profiles.js';
import { x509 } from './x509.js';

const subtle = webcrypto.subtle as unknown as SubtleCrypto;
const DAY_MS = 86_400_000;

/** A certificate and the private key that signs with it. */
export interface Signer {
  cert: x509.X509Certificate;
  privateKey: CryptoKey;
}

/** What one profile produced: the leaf's key and the chain its server presents. */
export interface BuiltProfile {
  privateKey: CryptoKey;
  /** Leaf first, then whatever the server sends after it. */
  chain: x509.X509Certificate[];
  /** Every certificate made for this profile, for the cache's expiry checks. */
  made: x509.X509Certificate[];
}

const EKU_OIDS: Record<ExtendedKeyUsage, string> = {
  serverAuth: x509.ExtendedKeyUsage.serverAuth,
  clientAuth: x509.ExtendedKeyUsage.clientAuth,
};

// Authorities are always P-256: only the leaves are about key choice.
const EC_P256 = { name: 'ECDSA', namedCurve: 'P-256' } as const;

export async function generateKeyPair(kind: KeyKind): Promise<CryptoKeyPair> {
  if (kind === 'ec-p256') return subtle.generateKey(EC_P256, true, ['sign', 'verify']);
  const publicExponent = new Uint8Array([1, 0, 1]);
  const rsa = { name: 'RSASSA-PKCS1-v1_5', modulusLength: 1024, publicExponent, hash: 'SHA-256' };
  return subtle.generateKey(rsa, true, ['sign', 'verify']);
}

function subject(commonName: string): string {
  return `CN=${commonName}, O=${ORGANIZATION}`;
}

function window(now: Date, [from, to]: readonly [number, number]): { notBefore: Date; notAfter: Date } {
  return { notBefore: new Date(now.getTime() + from * DAY_MS), notAfter: new Date(now.getTime() + to * DAY_MS) };
}

/** 16 random bytes, positive and without a leading zero byte (RFC 5280 §4.1.2.2: at most 20 octets). */
function serialNumber(): string {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0]! & 0x7f) | 0x40;
  return bytes.toString('hex');
}

function signingAlgorithm(key: CryptoKey, hash: string): Algorithm | EcdsaParams {
  return { name: key.algorithm.name, hash } as EcdsaParams;
}

async function authorityKeyId(issuer: x509.X509Certificate): Promise<x509.Extension> {
  const ski = issuer.getExtension(x509.SubjectKeyIdentifierExtension);
  if (ski) return new x509.AuthorityKeyIdentifierExtension(ski.keyId);
  return x509.AuthorityKeyIdentifierExtension.create(issuer.publicKey);
}

/** Signs the certificate `base` describes with `issuer`, or self-signs it when there is none. */
async function issue(
  base: x509.X509CertificateCreateParamsBase & { subject: string },
  keys: CryptoKeyPair,
  issuer: Signer | null,
  hash: string,
): Promise<x509.X509Certificate> {
  const { subject: name, extensions: own = [], ...rest } = base;
  const extensions = [...own, await x509.SubjectKeyIdentifierExtension.create(keys.publicKey)];
  if (!issuer) {
    const signing = signingAlgorithm(keys.privateKey, hash);
    const params = { ...rest, name, keys, extensions, signingAlgorithm: signing };
    return x509.X509CertificateGenerator.createSelfSigned(params);
  }
  extensions.push(await authorityKeyId(issuer.cert));
  return x509.X509CertificateGenerator.create({
    ...rest,
    subject: name,
    issuer: issuer.cert.subjectName,
    publicKey: keys.publicKey,
    signingKey: issuer.privateKey,
    signingAlgorithm: signingAlgorithm(issuer.privateKey, hash),
    extensions,
  });
}

/** A root (issuer null) or an intermediate signed by `issuer`. */
export async function makeAuthority(def: AuthorityDefinition, issuer: Signer | null, now: Date): Promise<Signer> {
  const keys = await generateKeyPair('ec-p256');
  const usage = x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign | x509.KeyUsageFlags.digitalSignature;
  const cert = await issue(
    {
      subject: subject(def.commonName),
      serialNumber: serialNumber(),
      ...window(now, def.validDays),
      extensions: [
        new x509.BasicConstraintsExtension(def.ca, def.pathLength, true),
        // keyCertSign even when cA is false: that profile's only fault is
        // basicConstraints, which a client looking at keyUsage alone misses.
        new x509.KeyUsagesExtension(usage, true),
      ],
    },
    keys,
    issuer,
    'SHA-256',
  );
  return { cert, privateKey: keys.privateKey };
}

function leafExtensions(p: ResolvedProfile, key: KeyKind): x509.Extension[] {
  // keyEncipherment for RSA keys, so that a TLS 1.2 RSA key exchange fails
  // only because of the profile's fault, not because of keyUsage.
  const usage = key.startsWith('rsa')
    ? x509.KeyUsageFlags.digitalSignature | x509.KeyUsageFlags.keyEncipherment
    : x509.KeyUsageFlags.digitalSignature;
  const extensions: x509.Extension[] = [
    new x509.BasicConstraintsExtension(false, undefined, true),
    new x509.KeyUsagesExtension(usage, true),
    new x509.ExtendedKeyUsageExtension(p.eku.map((e) => EKU_OIDS[e])),
  ];
  if (p.san) {
    const names: x509.JsonGeneralNames = [
      ...(p.san.dns ?? []).map((value) => ({ type: 'dns' as const, value })),
      ...(p.san.ip ?? []).map((value) => ({ type: 'ip' as const, value })),
    ];
    extensions.push(new x509.SubjectAlternativeNameExtension(names));
  }
  if (p.criticalExtension) {
    // The value is a DER NULL: what matters is that nobody knows the OID.
    extensions.push(new x509.Extension(p.criticalExtension, true, new Uint8Array([0x05, 0x00])));
  }
  return extensions;
}

/**
 * Flips the lowest bit of the certificate's last byte. DER puts the signature
 * BIT STRING last, so that byte is the end of the signature (the last octet of
 * ECDSA's `s` INTEGER): every length stays intact and the certificate parses,
 * but the signature no longer verifies.
 */
export function corruptSignature(cert: x509.X509Certificate): x509.X509Certificate {
  const der = new Uint8Array(cert.rawData.slice(0));
  der[der.length - 1]! ^= 0x01;
  return new x509.X509Certificate(der);
}

/**
 * Builds one profile's leaf. `shared` returns the Conform root or intermediate;
 * per-profile authorities (the untrusted root, the CA:false intermediate) are
 * made here and thrown away with their keys.
 */
export async function buildProfile(
  p: ResolvedProfile,
  shared: (name: 'root' | 'intermediate') => Signer,
  now: Date,
): Promise<BuiltProfile> {
  const made: x509.X509Certificate[] = [];
  let issuer: Signer | null = null;
  if (p.issuer === 'root' || p.issuer === 'intermediate') {
    issuer = shared(p.issuer);
  } else if (p.issuer !== 'self') {
    const def: AuthorityDefinition = AUTHORITIES[p.issuer];
    issuer = await makeAuthority(def, def.signedBy === 'root' ? shared('root') : null, now);
    made.push(issuer.cert);
  }
  const keys = await generateKeyPair(p.key);
  let leaf = await issue(
    {
      subject: subject(p.commonName),
      serialNumber: serialNumber(),
      ...window(now, p.validDays),
      extensions: leafExtensions(p, p.key),
    },
    keys,
    issuer,
    p.signatureHash,
  );
  if (p.corruptSignature) leaf = corruptSignature(leaf);
  made.push(leaf);
  const chain = p.sendsIssuer && issuer ? [leaf, issuer.cert] : [leaf];
  return { privateKey: keys.privateKey, chain, made };
}

export function certsToPem(certs: readonly x509.X509Certificate[]): string {
  return certs.map((c) => c.toString('pem')).join('\n') + '\n';
}

export async function privateKeyToPem(key: CryptoKey): Promise<string> {
  return x509.PemConverter.encode(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY') + '\n';
}

/** Reads back an authority written by the store (always P-256, see EC_P256). */
export async function importSigner(certPem: string, keyPem: string): Promise<Signer> {
  const der = x509.PemConverter.decodeFirst(keyPem);
  const privateKey = await subtle.importKey('pkcs8', der, EC_P256, false, ['sign']);
  return { cert: new x509.X509Certificate(certPem), privateKey };
}
