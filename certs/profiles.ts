// The named certificate profiles, as plain data. Each profile says what its
// leaf certificate looks like and how it is wrong; `generate.ts` turns a
// definition into keys and certificates (issued by the authorities in
// `authorities.ts`), `store.ts` caches the result. A few profiles also carry
// the TLS settings of the server that presents them (`server`): a key
// exchange or cipher suites a client should refuse, with a sound certificate.

import type { AuthorityName } from './authorities.js';
import type { Hash } from './certificate.js';
import type { KeyKind } from './keys.js';
import type { RevocationSetting } from './revocation.js';

/** Who signs a leaf: one of the AUTHORITIES, or the leaf's own key. */
export type IssuerName = AuthorityName | 'self';

export type { KeyKind };
export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';

/** Finite-field Diffie-Hellman groups a DHE-only server can use (certs/dh-params.ts). */
export type DhGroup = 'modp-1024' | 'modp-2048' | 'composite-2048' | 'small-subgroup-2048';

/** TLS settings of the server presenting the certificate, beyond a case's own. */
export interface ServerTls {
  /** Caps the case's maxVersion (cipher-suite faults exist only up to TLS 1.2). */
  readonly maxVersion?: 'TLSv1.2';
  /** OpenSSL cipher list for TLS 1.2 and below. */
  readonly ciphers?: string;
  /** The group of a DHE-only server. */
  readonly dhGroup?: DhGroup;
  /** false: refuse encrypt_then_mac (RFC 7366), so a CBC suite runs MAC-then-encrypt. */
  readonly encryptThenMac?: false;
  /** OpenSSL group list (`ecdhCurve`): the only key exchanges the server accepts. */
  readonly groups?: string;
  /** Refuse every ALPN protocol the client offers (no_application_protocol, RFC 7301 §3.2). */
  readonly refuseAlpn?: true;
  /** Ask for a renegotiation (HelloRequest, RFC 5246 §7.4.1.1) once the handshake is done; TLS 1.2 only. */
  readonly renegotiate?: true;
}

export interface ProfileDefinition {
  /** One line saying what is wrong with the certificate (or that nothing is), for reports. */
  explain: string;
  /** The name the client connects to and verifies (a DNS name, a U-label IDN or an IP literal). */
  host: string;
  /** Where the requirement comes from. */
  refs: readonly string[];
  /** Whether a correct peer accepts this certificate (the server's `server` settings aside). */
  accept: boolean;
  /** The first error `openssl verify` (3.0) prints, or null when it says OK. */
  opensslError: string | null;
  /** `openssl verify -auth_level` needed to see that error. Default: none given. */
  opensslAuthLevel?: number;
  /**
   * OpenSSL security level the presenting side must run at to load the
   * certificate at all; null means its default works. Default null.
   */
  securityLevel?: number | null;
  /** Who presents it: a TLS server, or a client in mutual TLS. Default 'server'. */
  role?: 'server' | 'client';
  /** Who signs the leaf. Default 'root'. */
  issuer?: IssuerName;
  /** The authorities the server sends after the leaf, in this order. Default none. */
  sends?: readonly AuthorityName[];
  /** Subject CN; null for a subject without one. Default: `host`. */
  commonName?: string | null;
  /** A subject that is the empty sequence (the names then only in a critical subjectAltName). Default false. */
  emptySubject?: boolean;
  /**
   * subjectAltName entries; null leaves the extension out. `filler` DNS names
   * that match nothing come before the others. Default DEFAULT_SAN.
   */
  san?: { readonly dns?: readonly string[]; readonly ip?: readonly string[]; readonly filler?: number } | null;
  /** Default serverAuth (server role) or clientAuth (client role). */
  eku?: readonly ExtendedKeyUsage[];
  /** Default 'ec-p256'. */
  key?: KeyKind;
  /** [notBefore, notAfter] in days relative to generation. Default [-1, 30]. */
  validDays?: readonly [number, number];
  /** Digest of the issuer's signature. Default 'SHA-256'. */
  signatureHash?: Hash;
  /** OID of a private extension added and marked critical. Default none. */
  criticalExtension?: string;
  /** Flip a bit of the signature after signing. Default false. */
  corruptSignature?: boolean;
  /** TLS settings of the presenting server. Default none. */
  server?: ServerTls;
  /**
   * A leaf issued for each case with the URLs of that case's CRL and OCSP
   * responder (CertStore.revocable), and what they say of it. Default none.
   */
  revocation?: RevocationSetting;
}

export const DEFAULT_SAN = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] } as const;

const HOST_REFS = ['RFC 9525 §6', 'RFC 5280 §4.2.1.6'] as const;
const WILDCARD_REFS = ['RFC 9525 §6.3'] as const;
const PATH_REFS = ['RFC 5280 §6.1'] as const;
/** A name of 253 octets, the most a DNS name holds (RFC 1035 §2.3.4: 255 on the wire), in labels of at most 63. */
export const LONG_HOST = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(48)}.conform.test`;
/** TLS 1.2 suites of static RSA key transport only (RFC 9325 §4.1: "static RSA"). */
const STATIC_RSA = 'AES128-GCM-SHA256:AES256-GCM-SHA384:AES128-SHA256:AES256-SHA256:AES128-SHA:AES256-SHA';
/** TLS 1.2 ECDHE suites in CBC mode only (RFC 9325 §4.2). */
const CBC_ONLY = 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES256-SHA384:ECDHE-ECDSA-AES128-SHA:ECDHE-ECDSA-AES256-SHA';
/** TLS 1.2 finite-field DHE suites only. */
const DHE_ONLY = 'DHE-RSA-AES128-GCM-SHA256:DHE-RSA-AES256-GCM-SHA384';

export const PROFILES = {
  valid: {
    explain: 'Nothing is wrong: issued by the Conform root for localhost, 127.0.0.1 and ::1.',
    host: 'localhost',
    refs: PATH_REFS,
    accept: true,
    opensslError: null,
  },
  'valid-chain': {
    explain: 'Nothing is wrong: issued by the Conform intermediate, which the server sends after the leaf.',
    host: 'localhost',
    refs: ['RFC 8446 §4.4.2', ...PATH_REFS],
    accept: true,
    opensslError: null,
    issuer: 'intermediate',
    sends: ['intermediate'],
  },
  expired: {
    explain: 'The certificate expired yesterday (valid from 30 days ago until 1 day ago).',
    host: 'localhost',
    refs: ['RFC 5280 §4.1.2.5', ...PATH_REFS],
    accept: false,
    opensslError: 'certificate has expired',
    validDays: [-30, -1],
  },
  'not-yet-valid': {
    explain: 'The certificate is not valid until tomorrow.',
    host: 'localhost',
    refs: ['RFC 5280 §4.1.2.5', ...PATH_REFS],
    accept: false,
    opensslError: 'certificate is not yet valid',
    validDays: [1, 30],
  },
  'wrong-host': {
    explain: 'The certificate names only wrong.example, not the host the client connected to.',
    host: 'localhost',
    refs: HOST_REFS,
    accept: false,
    opensslError: 'hostname mismatch',
    commonName: 'wrong.example',
    san: { dns: ['wrong.example'] },
  },
  'self-signed': {
    explain: 'The certificate is self-signed: right names, but no trusted issuer.',
    host: 'localhost',
    refs: PATH_REFS,
    accept: false,
    opensslError: 'self-signed certificate',
    issuer: 'self',
  },
  'untrusted-root': {
    explain: 'The certificate is issued by a root that is not among the trust anchors.',
    host: 'localhost',
    refs: PATH_REFS,
    accept: false,
    opensslError: 'unable to get local issuer certificate',
    issuer: 'untrusted-root',
  },
  'missing-intermediate': {
    explain: 'The server sends the leaf but not the intermediate that issued it.',
    host: 'localhost',
    refs: ['RFC 8446 §4.4.2', ...PATH_REFS],
    accept: false,
    opensslError: 'unable to get local issuer certificate',
    issuer: 'intermediate',
  },
  'ca-false-intermediate': {
    explain: 'The leaf is issued by a certificate whose basicConstraints say it is not a CA.',
    host: 'localhost',
    refs: ['RFC 5280 §4.2.1.9', ...PATH_REFS],
    accept: false,
    opensslError: 'invalid CA certificate',
    issuer: 'ca-false-intermediate',
    sends: ['ca-false-intermediate'],
  },
  'client-auth-eku': {
    explain: 'The certificate is for TLS clients only (extendedKeyUsage clientAuth, no serverAuth).',
    host: 'localhost',
    refs: ['RFC 5280 §4.2.1.12'],
    accept: false,
    opensslError: 'unsuitable certificate purpose',
    eku: ['clientAuth'],
  },
  'unknown-critical-ext': {
    explain: 'The certificate carries an extension the client cannot know, marked critical.',
    host: 'localhost',
    refs: ['RFC 5280 §4.2'],
    accept: false,
    opensslError: 'unhandled critical extension',
    criticalExtension: '1.3.6.1.4.1.55555.1',
  },
  'bad-signature': {
    explain: "The issuer's signature on the certificate is corrupted (one bit flipped).",
    host: 'localhost',
    refs: ['RFC 5280 §6.1.3'],
    accept: false,
    opensslError: 'certificate signature failure',
    corruptSignature: true,
  },
  'rsa-1024': {
    explain: 'The certificate has a 1024-bit RSA key, too weak for any current policy.',
    host: 'localhost',
    refs: ['NIST SP 800-131A Rev. 2 §3', 'RFC 9325 §4.4'],
    accept: false,
    opensslError: 'EE certificate key too weak',
    // OpenSSL's level 1 allows 80-bit keys; RSA-1024 is refused from level 2.
    opensslAuthLevel: 2,
    // Node's bundled OpenSSL serves it at level 1, but a build at level 2
    // (as Debian's system OpenSSL is) refuses to load the key.
    securityLevel: 0,
    key: 'rsa-1024',
  },
  'sha1-signature': {
    explain: 'The issuer signed the certificate with SHA-1, a broken digest.',
    host: 'localhost',
    refs: ['RFC 9155 §2', 'RFC 9325 §4.3'],
    accept: false,
    opensslError: 'CA signature digest algorithm too weak',
    // OpenSSL 3 rates SHA-1 signatures at 63 bits, below level 1's 80.
    opensslAuthLevel: 1,
    // Node's default (level 1) refuses to load it: ERR_SSL_CA_MD_TOO_WEAK.
    securityLevel: 0,
    signatureHash: 'SHA-1',
  },
  'sha384-signature': {
    explain: 'Nothing is wrong: the RSA intermediate the server sends signed the leaf with sha384WithRSAEncryption.',
    host: 'localhost',
    // rsa_pkcs1_sha384 exactly (RFC 8446 §4.2.3), as badssl's sha384 class: an ECDSA issuer with SHA-384
    // would pair a curve and a digest that no TLS 1.3 scheme names.
    refs: ['RFC 8446 §4.2.3', 'RFC 4055 §5', ...PATH_REFS],
    accept: true,
    opensslError: null,
    issuer: 'rsa-2048-intermediate',
    sends: ['rsa-2048-intermediate'],
    signatureHash: 'SHA-384',
  },
  'sha512-signature': {
    explain: 'Nothing is wrong: the RSA intermediate the server sends signed the leaf with sha512WithRSAEncryption.',
    host: 'localhost',
    // rsa_pkcs1_sha512 exactly (RFC 8446 §4.2.3), as badssl's sha512 class: an ECDSA issuer with SHA-512
    // would pair a curve and a digest that no TLS 1.3 scheme names.
    refs: ['RFC 8446 §4.2.3', 'RFC 4055 §5', ...PATH_REFS],
    accept: true,
    opensslError: null,
    issuer: 'rsa-2048-intermediate',
    sends: ['rsa-2048-intermediate'],
    signatureHash: 'SHA-512',
  },
  'cn-only': {
    explain: 'The certificate names localhost only in the subject CN and has no subjectAltName.',
    host: 'localhost',
    // RFC 9525 drops the CN-ID that RFC 6125 still allowed as a fallback.
    refs: ['RFC 9525 §6'],
    accept: false,
    // OpenSSL still falls back to the CN when there are no DNS names.
    opensslError: null,
    san: null,
  },
  wildcard: {
    explain: 'Nothing is wrong: *.conform.test covers www.conform.test.',
    host: 'www.conform.test',
    refs: WILDCARD_REFS,
    accept: true,
    opensslError: null,
    commonName: '*.conform.test',
    san: { dns: ['*.conform.test'] },
  },
  'wildcard-nomatch': {
    explain: 'The wildcard *.conform.test covers one label only, so not a.b.conform.test.',
    host: 'a.b.conform.test',
    refs: WILDCARD_REFS,
    accept: false,
    opensslError: 'hostname mismatch',
    commonName: '*.conform.test',
    san: { dns: ['*.conform.test'] },
  },
  'ip-san': {
    explain: 'Nothing is wrong: the only name is the IP address 127.0.0.1, which the client connects to.',
    host: '127.0.0.1',
    refs: HOST_REFS,
    accept: true,
    opensslError: null,
    commonName: '127.0.0.1',
    san: { ip: ['127.0.0.1'] },
  },

  // ── Key types and sizes (RFC 8446 §9.1, RFC 9325 §4.5) ──
  'rsa-2048': {
    explain: 'Nothing is wrong: a 2048-bit RSA key, issued by the Conform root.',
    host: 'localhost',
    refs: ['RFC 8446 §9.1', ...PATH_REFS],
    accept: true,
    opensslError: null,
    key: 'rsa-2048',
  },
  'rsa-2048-chain': {
    explain: 'Nothing is wrong: a 2048-bit RSA leaf under a 2048-bit RSA intermediate, which the server sends.',
    host: 'localhost',
    refs: ['RFC 8446 §9.1', ...PATH_REFS],
    accept: true,
    opensslError: null,
    key: 'rsa-2048',
    issuer: 'rsa-2048-intermediate',
    sends: ['rsa-2048-intermediate'],
  },
  'rsa-4096': {
    explain: 'Nothing is wrong: a 4096-bit RSA key, issued by the Conform root.',
    host: 'localhost',
    refs: ['RFC 8446 §4.2.3', ...PATH_REFS],
    accept: true,
    opensslError: null,
    key: 'rsa-4096',
  },
  'rsa-4096-chain': {
    explain: 'Nothing is wrong: a 4096-bit RSA leaf under a 4096-bit RSA intermediate, which the server sends.',
    host: 'localhost',
    refs: ['RFC 8446 §4.2.3', ...PATH_REFS],
    accept: true,
    opensslError: null,
    key: 'rsa-4096',
    issuer: 'rsa-4096-intermediate',
    sends: ['rsa-4096-intermediate'],
  },
  'rsa-8192': {
    explain: 'Nothing is wrong: an 8192-bit RSA key, slow to verify and to sign with.',
    host: 'localhost',
    refs: ['RFC 8446 §4.2.3', ...PATH_REFS],
    accept: true,
    opensslError: null,
    key: 'rsa-8192',
  },
  'ecdsa-p384': {
    explain: 'Nothing is wrong: an ECDSA key on P-384, issued by the Conform root.',
    host: 'localhost',
    refs: ['RFC 8446 §4.2.3', 'RFC 8422 §5.1.1'],
    accept: true,
    opensslError: null,
    key: 'ec-p384',
  },
  ed25519: {
    explain: 'Nothing is wrong: an Ed25519 key (RFC 8410), issued by the Conform root.',
    host: 'localhost',
    refs: ['RFC 8446 §4.2.3', 'RFC 8410 §3'],
    accept: true,
    opensslError: null,
    key: 'ed25519',
  },
  'static-rsa-only': {
    explain: 'A sound RSA-2048 certificate, on a TLS 1.2 server that offers only static RSA key transport.',
    host: 'localhost',
    refs: ['RFC 9325 §4.1'],
    accept: true,
    opensslError: null,
    key: 'rsa-2048',
    server: { maxVersion: 'TLSv1.2', ciphers: STATIC_RSA },
  },

  // ── Names (RFC 9525 §6, RFC 5280 §4.2.1.6, §4.2.1.10) ──
  'no-subject': {
    explain: 'Nothing is wrong: an empty subject, the names only in a critical subjectAltName.',
    host: 'localhost',
    refs: ['RFC 5280 §4.2.1.6', 'RFC 9525 §6.3'],
    accept: true,
    opensslError: null,
    emptySubject: true,
  },
  'no-cn': {
    explain: 'Nothing is wrong: the subject has an organization and no CN; the names are in subjectAltName.',
    host: 'localhost',
    refs: ['RFC 9525 §6.3'],
    accept: true,
    opensslError: null,
    commonName: null,
  },
  'sans-1000': {
    explain: 'Nothing is wrong: 1,000 subjectAltName DNS names, the host the last of them.',
    host: 'localhost',
    refs: ['RFC 9525 §6.2', 'RFC 5280 §4.2.1.6'],
    accept: true,
    opensslError: null,
    san: { dns: ['localhost'], filler: 999 },
  },
  'sans-10000': {
    explain: 'Nothing is wrong: 10,000 subjectAltName DNS names (a 250 KB certificate), the host the last.',
    host: 'localhost',
    refs: ['RFC 9525 §6.2', 'RFC 5280 §4.2.1.6'],
    accept: true,
    opensslError: null,
    san: { dns: ['localhost'], filler: 9999 },
  },
  'long-host': {
    explain: 'Nothing is wrong: the host is a 253-character name (four labels of up to 63), named in subjectAltName.',
    host: LONG_HOST,
    refs: ['RFC 1035 §2.3.4', 'RFC 9525 §6.3'],
    accept: true,
    opensslError: null,
    commonName: 'long-host.conform.test',
    san: { dns: [LONG_HOST] },
  },
  idn: {
    explain: 'Nothing is wrong: an internationalized name in A-label form (xn--bcher-kva), asked for as such.',
    host: 'xn--bcher-kva.conform.test',
    refs: ['RFC 9525 §6.3', 'RFC 5890 §2.3.2.1'],
    accept: true,
    opensslError: null,
    san: { dns: ['xn--bcher-kva.conform.test'] },
  },
  'idn-unicode': {
    explain: 'Nothing is wrong: the host is asked for as a U-label (bücher), the certificate names its A-label.',
    host: 'bücher.conform.test',
    refs: ['RFC 9525 §6.3', 'RFC 5890 §2.3.2.1'],
    accept: true,
    // openssl verify compares the U-label as given: converting it is the client's job.
    opensslError: 'hostname mismatch',
    commonName: 'xn--bcher-kva.conform.test',
    san: { dns: ['xn--bcher-kva.conform.test'] },
  },
  'mixed-case-san': {
    explain: 'Nothing is wrong: the subjectAltName says LocalHost, which matches localhost case-insensitively.',
    host: 'localhost',
    refs: ['RFC 9525 §6.3', 'RFC 4343 §3'],
    accept: true,
    opensslError: null,
    commonName: 'LocalHost',
    san: { dns: ['LocalHost'] },
  },
  'wildcard-partial': {
    explain: 'The only name is w*.conform.test: a wildcard that is not a whole label names nothing.',
    host: 'www.conform.test',
    refs: WILDCARD_REFS,
    accept: false,
    // OpenSSL allows partial wildcards unless asked not to (X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS).
    opensslError: null,
    commonName: 'w*.conform.test',
    san: { dns: ['w*.conform.test'] },
  },
  'wildcard-nested': {
    explain: 'The only name is *.*.conform.test: two wildcards make the name invalid.',
    host: 'a.b.conform.test',
    refs: WILDCARD_REFS,
    accept: false,
    opensslError: 'hostname mismatch',
    commonName: '*.*.conform.test',
    san: { dns: ['*.*.conform.test'] },
  },
  'wildcard-not-leftmost': {
    explain: 'The only name is www.*.conform.test: a wildcard outside the left-most label is invalid.',
    host: 'www.a.conform.test',
    refs: WILDCARD_REFS,
    accept: false,
    opensslError: 'hostname mismatch',
    commonName: 'www.*.conform.test',
    san: { dns: ['www.*.conform.test'] },
  },
  'wildcard-apex': {
    explain: 'The only name is *.conform.test, which covers one label below conform.test, not conform.test itself.',
    host: 'conform.test',
    refs: WILDCARD_REFS,
    accept: false,
    opensslError: 'hostname mismatch',
    commonName: '*.conform.test',
    san: { dns: ['*.conform.test'] },
  },
  'wildcard-public-suffix': {
    explain: 'The only name is *.test, a wildcard for a whole top-level domain.',
    host: 'conform.test',
    refs: ['RFC 9525 §7.1'],
    accept: false,
    opensslError: 'hostname mismatch',
    commonName: '*.test',
    san: { dns: ['*.test'] },
  },
  'cn-with-other-san': {
    explain: 'The subject CN says localhost, but the subjectAltName names only wrong.example.',
    host: 'localhost',
    refs: ['RFC 6125 §6.4.4', 'RFC 9525 §6.3'],
    accept: false,
    opensslError: 'hostname mismatch',
    commonName: 'localhost',
    san: { dns: ['wrong.example'] },
  },
  'no-eku': {
    explain: 'Nothing is wrong: the leaf has no extendedKeyUsage extension, so no purpose is excluded.',
    host: 'localhost',
    refs: ['RFC 5280 §4.2.1.12'],
    accept: true,
    opensslError: null,
    eku: [],
  },
  'ip-in-cn-only': {
    explain: 'The host 127.0.0.1 is only in the subject CN; there is no subjectAltName.',
    host: '127.0.0.1',
    refs: ['RFC 9525 §6.2', 'RFC 9110 §4.3.4'],
    accept: false,
    opensslError: 'IP address mismatch',
    commonName: '127.0.0.1',
    san: null,
  },
  'name-constraints-dns': {
    explain: 'The intermediate may issue only for names under conform.test, and the leaf is for localhost.',
    host: 'localhost',
    refs: ['RFC 5280 §4.2.1.10', 'RFC 5280 §6.1.3'],
    accept: false,
    opensslError: 'permitted subtree violation',
    issuer: 'conform-test-only-intermediate',
    sends: ['conform-test-only-intermediate'],
    san: { dns: ['localhost'] },
  },
  'name-constraints-ok': {
    explain:
      'Nothing is wrong: the intermediate may issue only under conform.test, and the leaf is for www.conform.test.',
    host: 'www.conform.test',
    refs: ['RFC 5280 §4.2.1.10'],
    accept: true,
    opensslError: null,
    issuer: 'conform-test-only-intermediate',
    sends: ['conform-test-only-intermediate'],
    san: { dns: ['www.conform.test'] },
  },
  'name-constraints-excluded': {
    explain: 'The intermediate excludes the name localhost, and the leaf is for localhost.',
    host: 'localhost',
    refs: ['RFC 5280 §4.2.1.10', 'RFC 5280 §6.1.3'],
    accept: false,
    opensslError: 'excluded subtree violation',
    issuer: 'localhost-excluded-intermediate',
    sends: ['localhost-excluded-intermediate'],
    san: { dns: ['localhost'] },
  },
  'name-constraints-dirname': {
    explain: "The intermediate may issue only under another organization's directory name, not the leaf's subject.",
    host: 'localhost',
    refs: ['RFC 5280 §4.2.1.10', 'RFC 5280 §6.1.3'],
    accept: false,
    opensslError: 'permitted subtree violation',
    issuer: 'other-organization-intermediate',
    sends: ['other-organization-intermediate'],
  },

  // ── Chains (RFC 5280 §6.1, RFC 8446 §4.4.2) ──
  'expired-intermediate': {
    explain: 'The leaf is current, but the intermediate that issued it expired yesterday.',
    host: 'localhost',
    refs: ['RFC 5280 §6.1.3'],
    accept: false,
    opensslError: 'certificate has expired',
    issuer: 'expired-intermediate',
    sends: ['expired-intermediate'],
  },
  'not-yet-valid-intermediate': {
    explain: 'The leaf is current, but the intermediate that issued it is not valid until tomorrow.',
    host: 'localhost',
    refs: ['RFC 5280 §6.1.3'],
    accept: false,
    opensslError: 'certificate is not yet valid',
    issuer: 'future-intermediate',
    sends: ['future-intermediate'],
  },
  'pathlen-exceeded': {
    explain: 'A CA below the Conform intermediate, whose pathLenConstraint 0 allows none, issued the leaf.',
    host: 'localhost',
    refs: ['RFC 5280 §4.2.1.9', 'RFC 5280 §6.1.4'],
    accept: false,
    opensslError: 'path length constraint exceeded',
    issuer: 'beyond-pathlen-intermediate',
    sends: ['beyond-pathlen-intermediate', 'intermediate'],
  },
  'intermediate-no-certsign': {
    explain: 'The intermediate is a CA by basicConstraints, but its keyUsage lacks keyCertSign.',
    host: 'localhost',
    refs: ['RFC 5280 §4.2.1.3', 'RFC 5280 §6.1.4'],
    accept: false,
    opensslError: 'invalid CA certificate',
    issuer: 'no-certsign-intermediate',
    sends: ['no-certsign-intermediate'],
  },
  'intermediate-critical-ext': {
    explain: 'The intermediate carries an extension the client cannot know, marked critical.',
    host: 'localhost',
    refs: ['RFC 5280 §4.2', 'RFC 5280 §6.1.4'],
    accept: false,
    opensslError: 'unhandled critical extension',
    issuer: 'critical-ext-intermediate',
    sends: ['critical-ext-intermediate'],
  },
  'cross-signed-expired-path': {
    explain:
      'Nothing is wrong: the server also sends an expired cross-certificate of the root; the path to the root holds.',
    host: 'localhost',
    refs: ['RFC 8446 §4.4.2', 'RFC 4158 §2.4', ...PATH_REFS],
    accept: true,
    opensslError: null,
    issuer: 'intermediate',
    sends: ['intermediate', 'expired-root-cross'],
  },
  'chain-out-of-order': {
    explain: 'Nothing is wrong: two intermediates, sent top one first (not each after the one it certifies).',
    host: 'localhost',
    refs: ['RFC 8446 §4.4.2', ...PATH_REFS],
    accept: true,
    opensslError: null,
    issuer: 'lower-intermediate',
    sends: ['upper-intermediate', 'lower-intermediate'],
  },
  'chain-extra-certs': {
    explain: 'Nothing is wrong: after the intermediate the server sends an unrelated root and the trusted root.',
    host: 'localhost',
    refs: ['RFC 8446 §4.4.2', ...PATH_REFS],
    accept: true,
    opensslError: null,
    issuer: 'intermediate',
    sends: ['intermediate', 'untrusted-root', 'root'],
  },

  // ── Weak parameters (RFC 9325 §4) ──
  'sha1-intermediate': {
    explain: 'The leaf is signed with SHA-256, but the root signed its intermediate with SHA-1.',
    host: 'localhost',
    refs: ['RFC 9155 §2', 'RFC 8446 §4.4.2.4', 'RFC 9325 §4.5'],
    accept: false,
    opensslError: 'CA signature digest algorithm too weak',
    opensslAuthLevel: 1,
    securityLevel: 0,
    issuer: 'sha1-intermediate',
    sends: ['sha1-intermediate'],
  },
  'cbc-only': {
    explain: 'A sound certificate, on a TLS 1.2 server with only CBC suites and no encrypt_then_mac.',
    host: 'localhost',
    refs: ['RFC 9325 §4.2', 'RFC 7366 §3'],
    accept: true,
    opensslError: null,
    server: { maxVersion: 'TLSv1.2', ciphers: CBC_ONLY, encryptThenMac: false },
  },
  'dhe-1024': {
    explain: 'A sound RSA certificate, on a TLS 1.2 server offering only DHE, with a 1024-bit group.',
    host: 'localhost',
    refs: ['RFC 9325 §4.5', 'RFC 7919 §1'],
    accept: true,
    opensslError: null,
    key: 'rsa-2048',
    server: { maxVersion: 'TLSv1.2', ciphers: DHE_ONLY, dhGroup: 'modp-1024' },
  },
  'dhe-2048': {
    explain: 'A sound RSA certificate, on a TLS 1.2 server offering only DHE, with a 2048-bit group.',
    host: 'localhost',
    refs: ['RFC 9325 §4.1', 'RFC 9325 §4.5'],
    accept: true,
    opensslError: null,
    key: 'rsa-2048',
    server: { maxVersion: 'TLSv1.2', ciphers: DHE_ONLY, dhGroup: 'modp-2048' },
  },
  'dhe-composite': {
    explain:
      'A sound RSA certificate, on a TLS 1.2 server offering only DHE over a 2048-bit modulus that is not prime.',
    host: 'localhost',
    refs: ['CVE-2016-2217', 'RFC 9325 §4.5'],
    accept: true,
    opensslError: null,
    key: 'rsa-2048',
    server: { maxVersion: 'TLSv1.2', ciphers: DHE_ONLY, dhGroup: 'composite-2048' },
  },
  'dhe-small-subgroup': {
    explain: 'A sound RSA certificate, on a TLS 1.2 server offering only DHE, whose generator has a 32-bit order.',
    host: 'localhost',
    refs: ['RFC 7919 §1', 'RFC 9325 §4.1'],
    accept: true,
    opensslError: null,
    key: 'rsa-2048',
    server: { maxVersion: 'TLSv1.2', ciphers: DHE_ONLY, dhGroup: 'small-subgroup-2048' },
  },
  // ── Handshake behaviour ──
  'hello-retry': {
    explain: 'A sound certificate; the server takes only P-256 key shares, so others get a HelloRetryRequest.',
    host: 'localhost',
    refs: ['RFC 8446 §4.1.4', 'RFC 8446 §9.1'],
    accept: true,
    opensslError: null,
    server: { groups: 'P-256' },
  },
  'alpn-refused': {
    explain:
      'A sound certificate, on a server that supports none of the application protocols a client offers by ALPN.',
    host: 'localhost',
    refs: ['RFC 7301 §3.2'],
    accept: true,
    opensslError: null,
    server: { refuseAlpn: true },
  },
  renegotiate: {
    explain: 'A sound certificate, on a TLS 1.2 server that asks for a renegotiation as soon as the handshake is done.',
    host: 'localhost',
    refs: ['RFC 5246 §7.4.1.1', 'RFC 5746 §4.2'],
    accept: true,
    opensslError: null,
    server: { maxVersion: 'TLSv1.2', renegotiate: true },
  },
  // ── Revocation (issued per case, pointing at the case's responder: CertStore.revocable) ──
  // Issued by the intermediate, which the server sends: curl finds the issuer an OCSP answer is about only
  // in the chain the server sent, as most clients do, and real servers send their intermediate.
  'revocation-good': {
    explain: 'Not revoked: its CRL does not list it; its OCSP responder and the stapled answer say good.',
    host: 'localhost',
    refs: ['RFC 5280 §6.3', 'RFC 6960 §2.2', 'RFC 6066 §8'],
    accept: true,
    opensslError: null,
    issuer: 'intermediate',
    sends: ['intermediate'],
    revocation: { revoked: false, staple: true },
  },
  revoked: {
    explain: 'Revoked: its CRL lists it; its OCSP responder and the stapled answer say revoked.',
    host: 'localhost',
    refs: ['RFC 5280 §6.3', 'RFC 6960 §2.2', 'RFC 6066 §8'],
    accept: false,
    // Without revocation data `openssl verify` has nothing to say against it; certs/openssl.test.ts checks the CRL and OCSP.
    opensslError: null,
    issuer: 'intermediate',
    sends: ['intermediate'],
    revocation: { revoked: true, staple: true },
  },
  'revoked-unstapled': {
    explain:
      'Revoked: on the CRL at its distribution point, and the OCSP responder says revoked; the server staples nothing.',
    host: 'localhost',
    refs: ['RFC 5280 §6.3', 'RFC 6960 §2.2'],
    accept: false,
    opensslError: null,
    issuer: 'intermediate',
    sends: ['intermediate'],
    revocation: { revoked: true, staple: false },
  },
  'revocation-unstapled': {
    explain: 'Not revoked, but the server staples no OCSP response, even when the client asks for one.',
    host: 'localhost',
    refs: ['RFC 6066 §8'],
    accept: true,
    opensslError: null,
    issuer: 'intermediate',
    sends: ['intermediate'],
    revocation: { revoked: false, staple: false },
  },
  'must-staple': {
    explain: 'Not revoked, marked "must staple" (TLS feature status_request), but the server staples nothing.',
    host: 'localhost',
    refs: ['RFC 7633 §4.2.3.1', 'RFC 6066 §8'],
    accept: false,
    opensslError: null,
    issuer: 'intermediate',
    sends: ['intermediate'],
    revocation: { revoked: false, staple: false, mustStaple: true },
  },
  client: {
    explain: 'Nothing is wrong: a client certificate (clientAuth) issued by the Conform root, for mutual TLS.',
    host: 'localhost',
    refs: ['RFC 8446 §4.4.2', 'RFC 5280 §4.2.1.12'],
    accept: true,
    opensslError: null,
    role: 'client',
    commonName: 'conform-client',
    san: null,
  },
} as const satisfies Record<string, ProfileDefinition>;

export type CertProfileName = keyof typeof PROFILES;

/** A definition with every default filled in: what the generator and the cache hash see. */
export type ResolvedProfile = Required<
  Omit<ProfileDefinition, 'opensslAuthLevel' | 'criticalExtension' | 'server' | 'revocation'>
> &
  Pick<ProfileDefinition, 'opensslAuthLevel' | 'criticalExtension' | 'server' | 'revocation'>;

export function resolveProfile(name: CertProfileName): ResolvedProfile {
  const def: ProfileDefinition = PROFILES[name];
  const role = def.role ?? 'server';
  return {
    ...def,
    role,
    securityLevel: def.securityLevel ?? null,
    issuer: def.issuer ?? 'root',
    sends: def.sends ?? [],
    emptySubject: def.emptySubject ?? false,
    commonName: def.commonName === undefined ? def.host : def.commonName,
    san: def.san === undefined ? DEFAULT_SAN : def.san,
    eku: def.eku ?? [role === 'server' ? 'serverAuth' : 'clientAuth'],
    key: def.key ?? 'ec-p256',
    validDays: def.validDays ?? [-1, 30],
    signatureHash: def.signatureHash ?? 'SHA-256',
    corruptSignature: def.corruptSignature ?? false,
  };
}
