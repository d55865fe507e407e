// The named certificate profiles, as plain data. Each profile says what its
// leaf certificate looks like and how it is wrong; `generate.ts` turns a
// definition into keys and certificates (issued by the authorities in
// `authorities.ts`), `store.ts` caches the result.

import { AUTHORITIES } from './authorities.js';

/** Who signs a leaf: one of the AUTHORITIES, or the leaf's own key. */
export type IssuerName = keyof typeof AUTHORITIES | 'self';

export type KeyKind = 'ec-p256' | 'rsa-1024';
export type ExtendedKeyUsage = 'serverAuth' | 'clientAuth';

export interface ProfileDefinition {
  /** One line saying what is wrong with the certificate (or that nothing is), for reports. */
  explain: string;
  /** The name the client connects to and verifies (a DNS name or an IP literal). */
  host: string;
  /** Where the requirement comes from. */
  refs: readonly string[];
  /** Whether a correct peer accepts this certificate. */
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
  /** Whether the server sends the issuing certificate after the leaf. Default false. */
  sendsIssuer?: boolean;
  /** Subject CN. Default: `host`. */
  commonName?: string;
  /** subjectAltName entries; null leaves the extension out. Default DEFAULT_SAN. */
  san?: { readonly dns?: readonly string[]; readonly ip?: readonly string[] } | null;
  /** Default serverAuth (server role) or clientAuth (client role). */
  eku?: readonly ExtendedKeyUsage[];
  /** Default 'ec-p256'. */
  key?: KeyKind;
  /** [notBefore, notAfter] in days relative to generation. Default [-1, 30]. */
  validDays?: readonly [number, number];
  /** Digest of the issuer's signature. Default 'SHA-256'. */
  signatureHash?: 'SHA-256' | 'SHA-1';
  /** OID of a private extension added and marked critical. Default none. */
  criticalExtension?: string;
  /** Flip a bit of the signature after signing. Default false. */
  corruptSignature?: boolean;
}

export const DEFAULT_SAN = { dns: ['localhost'], ip: ['127.0.0.1', '::1'] } as const;

const HOST_REFS = ['RFC 9525 §6', 'RFC 5280 §4.2.1.6'] as const;
const WILDCARD_REFS = ['RFC 9525 §6.3'] as const;
const PATH_REFS = ['RFC 5280 §6.1'] as const;

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
    sendsIssuer: true,
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
    sendsIssuer: true,
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
export type ResolvedProfile = Required<Omit<ProfileDefinition, 'opensslAuthLevel' | 'criticalExtension'>> &
  Pick<ProfileDefinition, 'opensslAuthLevel' | 'criticalExtension'>;

export function resolveProfile(name: CertProfileName): ResolvedProfile {
  const def: ProfileDefinition = PROFILES[name];
  const role = def.role ?? 'server';
  return {
    ...def,
    role,
    securityLevel: def.securityLevel ?? null,
    issuer: def.issuer ?? 'root',
    sendsIssuer: def.sendsIssuer ?? false,
    commonName: def.commonName ?? def.host,
    san: def.san === undefined ? DEFAULT_SAN : def.san,
    eku: def.eku ?? [role === 'server' ? 'serverAuth' : 'clientAuth'],
    key: def.key ?? 'ec-p256',
    validDays: def.validDays ?? [-1, 30],
    signatureHash: def.signatureHash ?? 'SHA-256',
    corruptSignature: def.corruptSignature ?? false,
  };
}
