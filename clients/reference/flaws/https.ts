import type { FlawTable } from './types.js';

/** Flaws of the reference client's HTTPS side. */
export const HTTPS_FLAWS = {
  'version-fallback': { protocols: ['https'], explain: 'after a failed handshake, retries offering only TLS 1.0' },
  'plaintext-fallback': { protocols: ['https'], explain: 'after a failed handshake, retries the request in plaintext' },
  'send-plaintext': { protocols: ['https'], explain: 'speaks plaintext HTTP to the TLS port' },
  'sni-for-ip': { protocols: ['https'], explain: 'sends an IP literal as SNI' },
  'offer-null': { protocols: ['https'], explain: 'offers NULL-encryption cipher suites' },
  'offer-export': { protocols: ['https'], explain: 'offers export-grade cipher suites' },
  'offer-rc4': { protocols: ['https'], explain: 'offers RC4 cipher suites' },
  'offer-anon': { protocols: ['https'], explain: 'offers anonymous (unauthenticated) cipher suites' },
  'offer-des': { protocols: ['https'], explain: 'offers DES/3DES cipher suites' },
  'accept-truncated': { protocols: ['https'], explain: 'treats any end of the connection as the end of the body' },
  'follow-redirects': { protocols: ['https'], explain: 'follows redirects wherever they point, plain http:// included' },
} as const satisfies FlawTable;
