// An X.509 v3 certificate (RFC 5280 §4.1) from plain fields, signed with a
// Node KeyObject: the DER of der.ts, the signature from node:crypto. Only
// the extensions the profiles need are here, each with its section.
import { createHash, sign, type KeyObject } from 'node:crypto';
import { isIPv4 } from 'node:net';
import {
  bitString,
  bool,
  children,
  explicit,
  implicit,
  namedBits,
  nul,
  octets,
  oid,
  read,
  seq,
  set,
  time,
  uint,
  utf8,
} from './der.js';

export type Hash = 'SHA-256' | 'SHA-384' | 'SHA-512' | 'SHA-1';

export interface Extension {
  oid: string;
  critical: boolean;
  /** The DER of the extension's value (what the extnValue OCTET STRING holds). */
  value: Buffer;
}

/** The DNS names and IP addresses of a subjectAltName or a name-constraint subtree. */
export interface Names {
  readonly dns?: readonly string[];
  readonly ip?: readonly string[];
  /** directoryName forms, as Name DER (name constraints only). */
  readonly dir?: readonly Buffer[];
}

export interface CertificateFields {
  /** Contents of the serial INTEGER, positive (RFC 5280 §4.1.2.2: at most 20 octets). */
  serial: Buffer;
  /** Name DER; for a self-signed certificate, the subject. */
  issuer: Buffer;
  subject: Buffer;
  notBefore: Date;
  notAfter: Date;
  publicKey: KeyObject;
  extensions: readonly Extension[];
}

/** A Name (RFC 5280 §4.1.2.4) of one RDN per attribute, CN first; no attributes: the empty sequence. */
export function name(attrs: { cn?: string | null; o?: string }): Buffer {
  const rdn = (type: string, value: string) => set(seq(oid(type), utf8(value)));
  return seq(...(attrs.cn ? [rdn('2.5.4.3', attrs.cn)] : []), ...(attrs.o ? [rdn('2.5.4.10', attrs.o)] : []));
}

/** Exported once per key: an export costs a native round trip, an RSA one more. */
const spkiOf = new WeakMap<KeyObject, Buffer>();
const keyIdOf = new WeakMap<KeyObject, Buffer>();

/** SubjectPublicKeyInfo DER. */
export function spki(key: KeyObject): Buffer {
  let der = spkiOf.get(key);
  if (!der) spkiOf.set(key, (der = key.export({ type: 'spki', format: 'der' })));
  return der;
}

/** RFC 5280 §4.2.1.2 method (1): SHA-1 of the subjectPublicKey BIT STRING's bits. */
export function keyId(key: KeyObject): Buffer {
  let id = keyIdOf.get(key);
  if (!id) {
    const bits = children(read(spki(key)).content)[1]!.content.subarray(1);
    keyIdOf.set(key, (id = createHash('sha1').update(bits).digest()));
  }
  return id;
}

const SIGNATURE_OIDS: Record<string, Partial<Record<Hash, string>>> = {
  // RFC 5758 §3.2 (ecdsa-with-SHA*), RFC 4055 §5 (sha*WithRSAEncryption), RFC 3279 §2.2 (SHA-1).
  ec: {
    'SHA-256': '1.2.840.10045.4.3.2',
    'SHA-384': '1.2.840.10045.4.3.3',
    'SHA-512': '1.2.840.10045.4.3.4',
    'SHA-1': '1.2.840.10045.4.1',
  },
  rsa: {
    'SHA-256': '1.2.840.113549.1.1.11',
    'SHA-384': '1.2.840.113549.1.1.12',
    'SHA-512': '1.2.840.113549.1.1.13',
    'SHA-1': '1.2.840.113549.1.1.5',
  },
};

/** AlgorithmIdentifier of the signature: RSA's carries NULL parameters, ECDSA's and Ed25519's none (RFC 5758 §3.2, RFC 8410 §3). */
function signatureAlgorithm(key: KeyObject, hash: Hash): Buffer {
  const type = key.asymmetricKeyType!;
  if (type === 'ed25519') return seq(oid('1.3.101.112'));
  const id = SIGNATURE_OIDS[type]?.[hash];
  if (!id) throw new Error(`no signature algorithm for a ${type} key with ${hash}`);
  return type === 'rsa' ? seq(oid(id), nul()) : seq(oid(id));
}

function extensionsDer(extensions: readonly Extension[]): Buffer[] {
  if (!extensions.length) return [];
  const each = extensions.map((e) => seq(oid(e.oid), ...(e.critical ? [bool(true)] : []), octets(e.value)));
  return [explicit(3, seq(...each))];
}

/** Signs the TBSCertificate with `signingKey` (the issuer's; the subject's own when self-signed) and returns the certificate DER. */
export function issueCertificate(fields: CertificateFields, signingKey: KeyObject, hash: Hash): Buffer {
  const algorithm = signatureAlgorithm(signingKey, hash);
  const tbs = seq(
    explicit(0, uint(2)), // v3
    uint(fields.serial),
    algorithm,
    fields.issuer,
    seq(time(fields.notBefore), time(fields.notAfter)),
    fields.subject,
    spki(fields.publicKey),
    ...extensionsDer(fields.extensions),
  );
  const digest = signingKey.asymmetricKeyType === 'ed25519' ? null : hash.replace('-', '').toLowerCase();
  // node:crypto signs ECDSA in DER (r, s) already, as X.509 wants it (RFC 5758 §3.2).
  return seq(tbs, algorithm, bitString(sign(digest, tbs, signingKey)));
}

export function toPem(certs: readonly Buffer[]): string {
  return certs
    .map(
      (der) =>
        `-----BEGIN CERTIFICATE-----\n${der.toString('base64').replace(/.{64}(?=.)/g, '$&\n')}\n-----END CERTIFICATE-----\n`,
    )
    .join('');
}

/** The DER of each certificate in a PEM bundle, in order. */
export function fromPem(pem: string): Buffer[] {
  return [...pem.matchAll(/-----BEGIN CERTIFICATE-----([^-]+)-----END CERTIFICATE-----/g)].map((m) =>
    Buffer.from(m[1]!.replace(/\s+/g, ''), 'base64'),
  );
}

/** The subject Name DER of a certificate (TBSCertificate's sixth field, after the explicit version). */
export function subjectOf(cert: Buffer): Buffer {
  const tbs = children(read(cert).content)[0]!;
  return children(tbs.content)[5]!.raw;
}

// ── Extensions (RFC 5280 §4.2.1) ──

const ext = (id: string, critical: boolean, value: Buffer): Extension => ({ oid: id, critical, value });

/** §4.2.1.9: cA and pathLenConstraint; a CA's is critical (conforming CAs MUST mark it so). */
export function basicConstraints(ca: boolean, pathLength?: number): Extension {
  return ext(
    '2.5.29.19',
    true,
    seq(...(ca ? [bool(true)] : []), ...(pathLength !== undefined ? [uint(pathLength)] : [])),
  );
}

export const KEY_USAGE_BITS = {
  digitalSignature: 0,
  keyEncipherment: 2,
  keyCertSign: 5,
  cRLSign: 6,
} as const;
export type KeyUsage = keyof typeof KEY_USAGE_BITS;

/** §4.2.1.3, critical. */
export const keyUsage = (usages: readonly KeyUsage[]): Extension =>
  ext('2.5.29.15', true, namedBits(usages.map((u) => KEY_USAGE_BITS[u])));

export const EKU_OIDS = { serverAuth: '1.3.6.1.5.5.7.3.1', clientAuth: '1.3.6.1.5.5.7.3.2' } as const;

/** §4.2.1.12. */
export const extendedKeyUsage = (purposes: readonly (keyof typeof EKU_OIDS)[]): Extension =>
  ext('2.5.29.37', false, seq(...purposes.map((p) => oid(EKU_OIDS[p]))));

/** GeneralName forms: dNSName [2] IA5String, iPAddress [7] OCTET STRING, directoryName [4] Name. */
function generalNames(names: Names): Buffer[] {
  return [
    ...(names.dns ?? []).map((d) => implicit(2, Buffer.from(d, 'ascii'))),
    ...(names.ip ?? []).map((ip) => implicit(7, ipBytes(ip))),
    ...(names.dir ?? []).map((dn) => explicit(4, dn)),
  ];
}

/** An address's octets; a CIDR (`10.0.0.0/8`) as address then mask, as name constraints have it (§4.2.1.10). */
function ipBytes(text: string): Buffer {
  const [addr, prefix] = text.split('/');
  const bytes = isIPv4(addr!) ? Buffer.from(addr!.split('.').map(Number)) : ipv6Bytes(addr!);
  if (prefix === undefined) return bytes;
  const mask = Buffer.alloc(bytes.length);
  for (let bit = 0; bit < Number(prefix); bit++) mask[bit >> 3]! |= 0x80 >> (bit & 7);
  return Buffer.concat([bytes, mask]);
}

function ipv6Bytes(addr: string): Buffer {
  const [head, tail = ''] = addr.split('::');
  const words = (s: string) => (s ? s.split(':').map((w) => parseInt(w, 16)) : []);
  const h = words(head!);
  const t = words(tail);
  const all = addr.includes('::') ? [...h, ...new Array<number>(8 - h.length - t.length).fill(0), ...t] : h;
  const out = Buffer.alloc(16);
  all.forEach((w, i) => out.writeUInt16BE(w, i * 2));
  return out;
}

/** §4.2.1.6: critical when the subject is empty ("the issuing CA MUST include a subjectAltName extension that is marked as critical"). */
export const subjectAltName = (names: Names, critical = false): Extension =>
  ext('2.5.29.17', critical, seq(...generalNames(names)));

/** §4.2.1.2. */
export const subjectKeyIdentifier = (id: Buffer): Extension => ext('2.5.29.14', false, octets(id));

/** §4.2.1.1: the keyIdentifier form (a CRL carries the same value, RFC 5280 §5.2.1). */
export const authorityKeyIdentifierValue = (id: Buffer): Buffer => seq(implicit(0, id));
export const authorityKeyIdentifier = (id: Buffer): Extension =>
  ext('2.5.29.35', false, authorityKeyIdentifierValue(id));

/** §4.2.1.10, critical as conforming CAs mark it. */
export function nameConstraints(permitted?: Names, excluded?: Names): Extension {
  // GeneralSubtrees ::= SEQUENCE OF GeneralSubtree, implicitly tagged [0] or [1]; each subtree is SEQUENCE { base }.
  const subtrees = (n: number, names: Names) =>
    implicit(n, Buffer.concat(generalNames(names).map((g) => seq(g))), true);
  return ext(
    '2.5.29.30',
    true,
    seq(...(permitted ? [subtrees(0, permitted)] : []), ...(excluded ? [subtrees(1, excluded)] : [])),
  );
}

/** An extension nobody knows (a private OID), whose value is a DER NULL. */
export const unknownExtension = (id: string, critical: boolean): Extension => ext(id, critical, nul());
