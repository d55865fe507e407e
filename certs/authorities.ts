// The certificate authorities the profiles are issued by, as plain data.
// The Conform root and intermediate are shared by every profile; the others
// exist only to build one broken (or unusual) chain each, and are made with
// the profile that names them.
import type { Hash, KeyUsage } from './certificate.js';
import type { KeyKind } from './keys.js';

/** Names and addresses of a name-constraint subtree (RFC 5280 §4.2.1.10). */
export interface Subtrees {
  readonly dns?: readonly string[];
  readonly ip?: readonly string[];
  /** directoryName subtrees: an organization (O=) each. */
  readonly organization?: readonly string[];
}

export interface AuthorityDefinition {
  commonName: string;
  /** `self` for a root; otherwise the authority (in AUTHORITIES) that signs it. */
  signedBy: 'self' | string;
  /** basicConstraints cA. false only to build a chain a client must refuse. */
  ca: boolean;
  /** basicConstraints pathLenConstraint; absent means unlimited. */
  pathLength?: number;
  /** Shared authorities live in the CA bundle; the others are made per profile. */
  shared: boolean;
  /** [notBefore, notAfter] in days relative to generation. */
  validDays: readonly [number, number];
  /** Default 'ec-p256'. */
  key?: KeyKind;
  /** keyUsage bits. Default keyCertSign, cRLSign, digitalSignature. */
  keyUsage?: readonly KeyUsage[];
  /** Digest of the signature its issuer makes on it. Default SHA-256. */
  signatureHash?: Hash;
  /** A private OID added as a critical extension. Default none. */
  criticalExtension?: string;
  /** nameConstraints (critical). Default none. */
  nameConstraints?: { permitted?: Subtrees; excluded?: Subtrees };
  /**
   * A cross-certificate: this certificate carries the subject and the key of
   * the named authority (issued again, by `signedBy`), not a key of its own.
   */
  crossCertifies?: 'root';
}

// A year: the shared CA outlives many leaf generations, so the CA file that a
// running client was given stays the same; it is replaced 7 days before expiry.
const CA_DAYS = [-1, 365] as const;
const HERE = { signedBy: 'root', ca: true, shared: false, validDays: CA_DAYS } as const;

export const AUTHORITIES = {
  root: { commonName: 'Conform Root CA DO NOT TRUST', signedBy: 'self', ca: true, shared: true, validDays: CA_DAYS },
  intermediate: {
    commonName: 'Conform Intermediate CA DO NOT TRUST',
    signedBy: 'root',
    ca: true,
    pathLength: 0,
    shared: true,
    validDays: CA_DAYS,
  },
  // Never written to any CA file: a chain ending here must not verify.
  'untrusted-root': {
    commonName: 'Conform Untrusted Root',
    signedBy: 'self',
    ca: true,
    shared: false,
    validDays: CA_DAYS,
  },
  // Signed by the real root, so the only fault in the chain is cA=false.
  'ca-false-intermediate': { ...HERE, commonName: 'Conform CA:false Intermediate DO NOT TRUST', ca: false },
  'rsa-2048-intermediate': {
    ...HERE,
    commonName: 'Conform RSA-2048 Intermediate DO NOT TRUST',
    key: 'rsa-2048',
    pathLength: 0,
  },
  'rsa-4096-intermediate': {
    ...HERE,
    commonName: 'Conform RSA-4096 Intermediate DO NOT TRUST',
    key: 'rsa-4096',
    pathLength: 0,
  },
  'expired-intermediate': { ...HERE, commonName: 'Conform Expired Intermediate DO NOT TRUST', validDays: [-60, -1] },
  'future-intermediate': {
    ...HERE,
    commonName: 'Conform Not-Yet-Valid Intermediate DO NOT TRUST',
    validDays: [1, 365],
  },
  'critical-ext-intermediate': {
    ...HERE,
    commonName: 'Conform Critical-Extension Intermediate DO NOT TRUST',
    criticalExtension: '1.3.6.1.4.1.55555.2',
  },
  // A CA by basicConstraints, whose keyUsage forbids signing certificates.
  'no-certsign-intermediate': {
    ...HERE,
    commonName: 'Conform No-keyCertSign Intermediate DO NOT TRUST',
    keyUsage: ['digitalSignature', 'cRLSign'],
  },
  // Signed by the shared intermediate, whose pathLenConstraint 0 allows no CA below it.
  'beyond-pathlen-intermediate': {
    ...HERE,
    commonName: 'Conform Beyond-pathLen Intermediate DO NOT TRUST',
    signedBy: 'intermediate',
  },
  // Two levels, to send in the wrong order: root -> upper -> lower -> leaf.
  'upper-intermediate': { ...HERE, commonName: 'Conform Upper Intermediate DO NOT TRUST', pathLength: 1 },
  'lower-intermediate': {
    ...HERE,
    commonName: 'Conform Lower Intermediate DO NOT TRUST',
    signedBy: 'upper-intermediate',
    pathLength: 0,
  },
  'sha1-intermediate': { ...HERE, commonName: 'Conform SHA-1 Intermediate DO NOT TRUST', signatureHash: 'SHA-1' },
  'conform-test-only-intermediate': {
    ...HERE,
    commonName: 'Conform Constrained Intermediate DO NOT TRUST',
    nameConstraints: { permitted: { dns: ['conform.test'] } },
  },
  'localhost-excluded-intermediate': {
    ...HERE,
    commonName: 'Conform Excluding Intermediate DO NOT TRUST',
    nameConstraints: { excluded: { dns: ['localhost'] } },
  },
  'other-organization-intermediate': {
    ...HERE,
    commonName: 'Conform DN-Constrained Intermediate DO NOT TRUST',
    nameConstraints: { permitted: { organization: ['Another organization DO NOT TRUST'] } },
  },
  // The old root that once cross-signed the Conform root; never a trust anchor.
  'old-root': {
    commonName: 'Conform Old Root DO NOT TRUST',
    signedBy: 'self',
    ca: true,
    shared: false,
    validDays: [-800, 800],
  },
  // The Conform root's subject and key, issued by the old root, expired a month ago.
  'expired-root-cross': {
    commonName: 'Conform Root CA DO NOT TRUST',
    signedBy: 'old-root',
    ca: true,
    shared: false,
    validDays: [-400, -30],
    crossCertifies: 'root',
  },
} as const satisfies Record<string, AuthorityDefinition>;

export type AuthorityName = keyof typeof AUTHORITIES;

/** Every subject carries this, so nobody mistakes these for real certificates. */
export const ORGANIZATION = 'Conform test certificates DO NOT TRUST';
