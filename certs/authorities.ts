// The certificate authorities the profiles are issued by, as plain data.
// The Conform root and intermediate are shared by every profile; the others
// exist only to build one broken chain each.

export interface AuthorityDefinition {
  commonName: string;
  /** `root` authorities are self-signed; the others are signed by the Conform root. */
  signedBy: 'self' | 'root';
  /** basicConstraints cA. false only to build a chain a client must refuse. */
  ca: boolean;
  /** basicConstraints pathLenConstraint; absent means unlimited. */
  pathLength?: number;
  /** Shared authorities live in the CA bundle; the others are made per profile. */
  shared: boolean;
  /** [notBefore, notAfter] in days relative to generation. */
  validDays: readonly [number, number];
}

// A year: the shared CA outlives many leaf generations, so the CA file that a
// running client was given stays the same; it is replaced 7 days before expiry.
const CA_DAYS = [-1, 365] as const;

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
  'ca-false-intermediate': {
    commonName: 'Conform CA:false Intermediate DO NOT TRUST',
    signedBy: 'root',
    ca: false,
    shared: false,
    validDays: CA_DAYS,
  },
} as const satisfies Record<string, AuthorityDefinition>;

/** Every subject carries this, so nobody mistakes these for real certificates. */
export const ORGANIZATION = 'Conform test certificates DO NOT TRUST';
