import { z } from 'zod';

/**
 * Scripted misbehaviour of the HTTPS server, as data. The definition (what the
 * fault is) lives here; how the socket misbehaves lives in server.ts.
 */
export const HttpsFaultSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('plain-http') }).strict(),
  z.object({ kind: z.literal('close-after-hello') }).strict(),
  z
    .object({
      kind: z.literal('handshake-alert'),
      /** TLS alert description to send (RFC 8446 §6). Default handshake_failure. */
      alert: z
        .enum(['handshake_failure', 'protocol_version', 'internal_error', 'bad_certificate'])
        .default('handshake_failure'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('truncate-body'),
      /** Fraction of the body sent before closing. Default 0.5. */
      at: z.number().min(0).max(0.99).default(0.5),
    })
    .strict(),
  z.object({ kind: z.literal('no-close-notify') }).strict(),
  z
    .object({
      kind: z.literal('stall'),
      /** The step after which the server goes silent (keeping the connection open). */
      after: z.enum(['accept', 'hello', 'request', 'headers']),
    })
    .strict(),
  z.object({ kind: z.literal('redirect-plain-http') }).strict(),
]);

export type HttpsFault = z.infer<typeof HttpsFaultSchema>;

/** TLS alert description codes (RFC 8446 §6). */
export const ALERT_CODES = {
  handshake_failure: 40,
  bad_certificate: 42,
  protocol_version: 70,
  internal_error: 80,
} as const;

/** One sentence per fault, used in reports. */
export function explainHttpsFault(fault: HttpsFault): string {
  switch (fault.kind) {
    case 'plain-http':
      return 'the TLS port is served by a plain HTTP server: it answers the ClientHello with a cleartext HTTP response';
    case 'close-after-hello':
      return 'the server closes the connection right after reading the ClientHello';
    case 'handshake-alert':
      return `the server answers the ClientHello with a fatal ${fault.alert} alert`;
    case 'truncate-body':
      return `the server closes the connection after ${Math.round(fault.at * 100)}% of the body (a Content-Length or chunked framing still announces all of it)`;
    case 'no-close-notify':
      return 'the server closes the TCP connection without a TLS close_notify';
    case 'stall':
      return `the server goes silent after ${fault.after === 'accept' ? 'accepting the connection' : `the ${fault.after}`} and never answers`;
    case 'redirect-plain-http':
      return 'the server answers 302 with a Location on plain http://';
  }
}
