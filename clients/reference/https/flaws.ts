import type { FlawTable } from '../flaw-types.js';

/** Flaws of the reference client's HTTPS side. */
export const HTTPS_FLAWS = {
  'version-fallback': { explain: 'after a failed handshake, retries offering only TLS 1.0' },
  'plaintext-fallback': { explain: 'after a failed handshake, retries the request in plaintext' },
  'send-plaintext': { explain: 'speaks plaintext HTTP to the TLS port' },
  'sni-for-ip': { explain: 'sends an IP literal as SNI' },
  'offer-null': { explain: 'offers NULL-encryption cipher suites' },
  'offer-export': { explain: 'offers export-grade cipher suites' },
  'offer-rc4': { explain: 'offers RC4 cipher suites' },
  'offer-anon': { explain: 'offers anonymous (unauthenticated) cipher suites' },
  'offer-des': { explain: 'offers DES/3DES cipher suites' },
  'accept-truncated': { explain: 'treats any end of the connection as the end of the body' },
  'follow-redirects': { explain: 'follows redirects wherever they point, plain http:// included' },
} as const satisfies FlawTable;
