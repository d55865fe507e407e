import type { FlawTable } from './types.js';

const ALL = ['https', 'ftps', 'smtp', 'pop3', 'socks5'] as const;

/** Flaws of the TLS layer, shared by every protocol the reference client speaks. */
export const TLS_FLAWS = {
  'skip-verify': { protocols: ALL, explain: 'accepts any certificate and any host name (like curl -k)' },
  'skip-hostname-check': { protocols: ALL, explain: 'verifies the chain but not that it names the host' },
  'allow-cn-fallback': { protocols: ALL, explain: 'matches the host against the subject CN when the certificate has no SAN' },
  'allow-weak-keys': { protocols: ALL, explain: 'accepts RSA keys under 2048 bits and SHA-1 signatures' },
  'accept-legacy-tls': { protocols: ALL, explain: 'offers and accepts TLS 1.0 and 1.1' },
  'omit-sni': { protocols: ALL, explain: 'never sends SNI' },
  'wrong-sni': { protocols: ALL, explain: 'sends the SNI of another name' },
  'no-timeout': { protocols: ALL, explain: 'ignores CONFORM_TIMEOUT_MS and waits forever' },
  'no-client-cert': { protocols: ALL, explain: 'never presents the client certificate it was given' },
  'corrupt-output': { protocols: ALL, explain: 'flips a bit in the data it delivers' },
  'answer-plaintext-banner': {
    protocols: ['smtp', 'pop3', 'ftps'],
    explain: 'on an implicit-TLS port, answers a plaintext banner with its login in plaintext, as if the port were not TLS',
  },
  'plaintext-after-hello': {
    protocols: ['smtp', 'pop3', 'ftps'],
    explain: 'writes its login (and, for SMTP, its envelope) in plaintext right behind its ClientHello, as if TLS were already up',
  },
} as const satisfies FlawTable;
