import type { FlawTable } from './flaw-types.js';

/**
 * Flaws shared by the protocols: those of the TLS layer apply to every one; an
 * `optIn` flaw only to the protocols whose module lists it in `honours`.
 */
export const TLS_FLAWS = {
  'skip-verify': { explain: 'accepts any certificate and any host name (like curl -k)' },
  'skip-hostname-check': { explain: 'verifies the chain but not that it names the host' },
  'allow-cn-fallback': { explain: 'matches the host against the subject CN when the certificate has no SAN' },
  'allow-weak-keys': { explain: 'accepts RSA keys under 2048 bits, SHA-1 signatures and DH groups under 2048 bits' },
  'legacy-ciphers': {
    explain: "offers Node's default TLS 1.2 suites: static RSA, finite-field DHE and CBC among them",
  },
  'trust-dh-group': { explain: 'uses whatever DH group the server sends: a composite modulus, a small subgroup' },
  'lax-wildcards': { explain: "matches '*' anywhere in a name, any number of times, as a glob within a label" },
  'case-sensitive-names': { explain: 'compares host names byte for byte, not case-insensitively' },
  'no-idna': { explain: 'compares a U-label host as given, without converting it to its A-label' },
  'accept-legacy-tls': { explain: 'offers and accepts TLS 1.0 and 1.1' },
  'omit-sni': { explain: 'never sends SNI' },
  'wrong-sni': { explain: 'sends the SNI of another name' },
  'no-timeout': { explain: 'ignores CONFORM_TIMEOUT_MS and waits forever' },
  'no-client-cert': { explain: 'never presents the client certificate it was given' },
  'x25519-only': {
    explain:
      'supports X25519 as its only key-exchange group, not P-256 (so it cannot answer a HelloRetryRequest for it)',
  },
  'ignore-revocation': {
    explain: 'never checks revocation, even when CONFORM_CHECK_REVOCATION asks it to (no CRL, no OCSP, any staple)',
  },
  'revocation-check-broken': {
    explain:
      'checks revocation but never accepts the answer (as a signature check against the wrong key would): refuses every certificate it was asked to check',
  },
  'ignore-must-staple': {
    explain: 'goes on without a stapled OCSP response when the certificate says "must staple" (RFC 7633)',
  },
  'corrupt-output': { explain: 'flips a bit in the data it delivers' },
  'answer-plaintext-banner': {
    optIn: true,
    explain:
      'on an implicit-TLS port, answers a plaintext banner with its login in plaintext, as if the port were not TLS',
  },
  'plaintext-after-hello': {
    optIn: true,
    explain:
      'writes its login (and, for SMTP, its envelope) in plaintext right behind its ClientHello, as if TLS were already up',
  },
  'print-raw-server-text': {
    optIn: true,
    explain:
      "prints the server's text (a refused greeting, a reply) with its control bytes raw, escape sequences included",
  },
} as const satisfies FlawTable;
