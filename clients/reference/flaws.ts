import type { Protocol } from '../../harness/job.js';

/**
 * Each flaw breaks exactly one rule of the strict reference client, so that
 * every case has a witness that fails it for the reason it exists.
 */
export const FLAWS = {
  'skip-verify': { protocols: ['https'], explain: 'accepts any certificate and any host name (like curl -k)' },
  'skip-hostname-check': { protocols: ['https'], explain: 'verifies the chain but not that it names the host' },
  'allow-cn-fallback': { protocols: ['https'], explain: 'matches the host against the subject CN when the certificate has no SAN' },
  'allow-weak-keys': { protocols: ['https'], explain: 'accepts RSA keys under 2048 bits and SHA-1 signatures' },
  'accept-legacy-tls': { protocols: ['https'], explain: 'offers and accepts TLS 1.0 and 1.1' },
  'version-fallback': { protocols: ['https'], explain: 'after a failed handshake, retries offering only TLS 1.0' },
  'plaintext-fallback': { protocols: ['https'], explain: 'after a failed handshake, retries the request in plaintext' },
  'send-plaintext': { protocols: ['https'], explain: 'speaks plaintext HTTP to the TLS port' },
  'omit-sni': { protocols: ['https'], explain: 'never sends SNI' },
  'sni-for-ip': { protocols: ['https'], explain: 'sends an IP literal as SNI' },
  'wrong-sni': { protocols: ['https'], explain: 'sends the SNI of another name' },
  'offer-null': { protocols: ['https'], explain: 'offers NULL-encryption cipher suites' },
  'offer-export': { protocols: ['https'], explain: 'offers export-grade cipher suites' },
  'offer-rc4': { protocols: ['https'], explain: 'offers RC4 cipher suites' },
  'offer-anon': { protocols: ['https'], explain: 'offers anonymous (unauthenticated) cipher suites' },
  'offer-des': { protocols: ['https'], explain: 'offers DES/3DES cipher suites' },
  'accept-truncated': { protocols: ['https'], explain: 'treats any end of the connection as the end of the body' },
  'no-timeout': { protocols: ['https'], explain: 'ignores CONFORM_TIMEOUT_MS and waits forever' },
  'no-client-cert': { protocols: ['https'], explain: 'never presents the client certificate it was given' },
  'follow-redirects': { protocols: ['https'], explain: 'follows redirects wherever they point, plain http:// included' },
  'corrupt-output': { protocols: ['https'], explain: 'flips a bit in the data it delivers' },
} as const satisfies Record<string, { protocols: readonly Protocol[]; explain: string }>;

export type Flaw = keyof typeof FLAWS;
export const FLAW_NAMES = Object.keys(FLAWS) as Flaw[];

export function isFlaw(name: string): name is Flaw {
  return name in FLAWS;
}

/** Parses `--flaw NAME` (repeatable); throws on an unknown flaw, listing the known ones. */
export function parseFlawArgs(args: readonly string[]): Set<Flaw> {
  const flaws = new Set<Flaw>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg === '--flaw' ? args[++i] : arg.startsWith('--flaw=') ? arg.slice(7) : undefined;
    if (value === undefined) throw new Error(`unknown argument "${arg}" (the reference client takes --flaw NAME)`);
    if (!isFlaw(value)) throw new Error(`unknown flaw "${value}"; known flaws: ${FLAW_NAMES.join(', ')}`);
    flaws.add(value);
  }
  return flaws;
}
