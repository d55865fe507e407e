import { z } from 'zod';
import { CertificateSchema, TlsVersionSchema } from '../shared/tls-options.js';
import { ClientCertSchema } from '../shared/client-cert.js';
import { HttpsScriptSchema } from '../shared/script/schema.js';
import { HttpsFaultSchema } from './faults.js';

/** `normal: { final }` waits for the end of an exchange of commands: an HTTP request has none. */
function refuseFinal(rules: z.infer<typeof HttpsScriptSchema>, ctx: z.RefinementCtx): void {
  rules.forEach((rule, i) =>
    rule.do.forEach((action, j) => {
      if (typeof action === 'object' && 'normal' in action && action.normal.final !== undefined) {
        ctx.addIssue({
          code: 'custom',
          path: [i, 'do', j, 'normal', 'final'],
          message: 'HTTPS has no exchange for `final` to end: edit the response with drop, add, cut or lineEnd',
        });
      }
    }),
  );
}

/** A case's `server:` block for the HTTPS server. Every field has a default. */
export const HttpsOptionsSchema = z
  .object({
    /** Certificate profile the server presents. Default `valid`. */
    certificate: CertificateSchema.default('valid'),
    /** Lowest TLS version accepted. Default TLSv1.2. */
    minVersion: TlsVersionSchema.default('TLSv1.2'),
    /** Highest TLS version accepted. Default TLSv1.3. */
    maxVersion: TlsVersionSchema.default('TLSv1.3'),
    /** OpenSSL cipher list for TLS ≤ 1.2. Default: Node's default list. */
    ciphers: z.string().optional(),
    /** ALPN protocols the server selects from. Default: none negotiated. */
    alpn: z.array(z.string()).optional(),
    /** Whether the server asks for a client certificate. Default `none`. */
    clientCert: ClientCertSchema.default('none'),
    /** Path the client is sent to. Default `/conform/body.bin`. */
    path: z.string().startsWith('/').default('/conform/body.bin'),
    /** The body served. Default 4 KiB of binary with every byte value. */
    body: z
      .object({
        size: z
          .number()
          .int()
          .min(0)
          .max(64 * 1024 * 1024)
          .default(4096),
        kind: z.enum(['binary', 'text']).default('binary'),
        /** How the end of the body is marked. Default `content-length`. */
        framing: z.enum(['content-length', 'chunked', 'close']).default('content-length'),
      })
      .strict()
      .prefault({}),
    /**
     * Scripted misbehaviour (servers/shared/script/schema.ts): rules that answer a
     * request with any bytes, in order, around or instead of the server's response. Default none.
     */
    script: HttpsScriptSchema.superRefine(refuseFinal).default([]),
    faults: z.array(HttpsFaultSchema).default([]),
  })
  .strict();

export type HttpsOptions = z.infer<typeof HttpsOptionsSchema>;
