import { z } from 'zod';
import { CertificateSchema, TlsVersionSchema } from '../shared/tls-options.js';
import { ClientCertSchema } from '../shared/client-cert.js';
import { scriptFor } from '../shared/script/schema.js';
import { Pop3FaultSchema } from './faults.js';
import { CAPABILITY_NAMES } from './capabilities.js';

const Capability = z.enum(CAPABILITY_NAMES);

/** A case's `server:` block for the POP3 server. Every field has a default, like Dovecot's. */
export const Pop3OptionsSchema = z
  .object({
    /**
     * `stls`: STLS offered, login accepted either way (default; a client's
     * mistake then shows on the wire); `stls-required`: USER, PASS and AUTH are
     * refused before TLS (Dovecot's disable_plaintext_auth); `implicit`: TLS from
     * the first byte (RFC 8314 §3.3, port 995 style); `none`: no TLS at all.
     */
    tls: z.enum(['none', 'stls', 'stls-required', 'implicit']).default('stls'),
    /** Certificate profile the server presents. Default `valid`. */
    certificate: CertificateSchema.default('valid'),
    /** Whether the server asks for a client certificate in the TLS handshake (servers/shared/client-cert.ts). Default `none`. */
    clientCert: ClientCertSchema.default('none'),
    /** Lowest TLS version accepted. Default TLSv1.2. */
    minVersion: TlsVersionSchema.default('TLSv1.2'),
    /** Highest TLS version accepted. Default TLSv1.3. */
    maxVersion: TlsVersionSchema.default('TLSv1.3'),
    /**
     * Capabilities advertised in CAPA, and accepted, before and inside TLS,
     * independently. STLS is not listed here: the TLS mode and faults decide it.
     * Default for both: TOP UIDL RESP-CODES PIPELINING AUTH-RESP-CODE USER SASL
     * (Dovecot's list; with `stls-required`, USER and SASL only inside TLS).
     */
    capabilities: z
      .object({
        before: z.array(Capability).optional(),
        after: z.array(Capability).optional(),
      })
      .strict()
      .prefault({}),
    /** The account the server accepts; it becomes CONFORM_USER / CONFORM_PASS. Default conform / conform-pop3-secret. */
    credentials: z
      .object({
        user: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[^\s\0]+$/)
          .default('conform'),
        pass: z
          .string()
          .min(1)
          .max(64)
          .regex(/^[^\s\0]+$/)
          .default('conform-pop3-secret'),
      })
      .strict()
      .prefault({}),
    /** The maildrop. Default: 2 messages, message 1 the standard one. */
    mailbox: z
      .object({
        /** `standard`: a realistic 1 KiB RFC 5322 message with dot lines; `large`: about 1 MiB of them. Default standard. */
        message: z.enum(['standard', 'large']).default('standard'),
        /** Messages in the maildrop (message 1 is the one retrieved). Default 2. */
        count: z.number().int().min(1).max(10).default(2),
      })
      .strict()
      .prefault({}),
    /**
     * Scripted misbehaviour (servers/shared/script/schema.ts): rules that answer
     * the greeting or a command with any reply or bytes, in order, before any
     * named fault or the normal behaviour. Default none.
     */
    script: scriptFor('POP3', ['message']).default([]),
    faults: z.array(Pop3FaultSchema).default([]),
  })
  .strict();

export type Pop3Options = z.infer<typeof Pop3OptionsSchema>;
