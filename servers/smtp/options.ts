import { z } from 'zod';
import { CertificateSchema, TlsVersionSchema } from '../shared/tls-options.js';
import { ClientCertSchema } from '../shared/client-cert.js';
import { ScriptSchema } from '../shared/script/schema.js';
import { SmtpFaultSchema } from './faults.js';

/** EHLO keywords the server knows (servers/smtp/registry.ts builds the reply from them). */
export const CAPABILITIES = ['PIPELINING', 'SIZE', 'STARTTLS', 'AUTH', 'ENHANCEDSTATUSCODES', '8BITMIME'] as const;
export type Capability = (typeof CAPABILITIES)[number];
export const AUTH_MECHANISMS = ['PLAIN', 'LOGIN'] as const;
export type AuthMechanism = (typeof AUTH_MECHANISMS)[number];

const Capabilities = z.array(z.enum(CAPABILITIES));

/** A case's `server:` block for the SMTP server. Every field has a default, like a Postfix submission service. */
export const SmtpOptionsSchema = z
  .object({
    /**
     * `starttls`: plaintext, STARTTLS offered (RFC 3207); `starttls-required`: the
     * same, but MAIL, RCPT, DATA and AUTH get 530 before TLS; `implicit`: TLS from
     * the first byte (RFC 8314 §3.3); `none`: no TLS at all. Default `starttls`.
     */
    tls: z.enum(['none', 'starttls', 'starttls-required', 'implicit']).default('starttls'),
    /** Certificate profile the server presents. Default `valid`. */
    certificate: CertificateSchema.default('valid'),
    /** Whether the server asks for a client certificate in the TLS handshake (servers/shared/client-cert.ts). Default `none`. */
    clientCert: ClientCertSchema.default('none'),
    /** Lowest TLS version accepted. Default TLSv1.2. */
    minVersion: TlsVersionSchema.default('TLSv1.2'),
    /** Highest TLS version accepted. Default TLSv1.3. */
    maxVersion: TlsVersionSchema.default('TLSv1.3'),
    /** The name in the greeting and the EHLO reply. Default `mail.conform.test`. */
    hostname: z
      .string()
      .regex(/^[A-Za-z0-9.-]+$/)
      .default('mail.conform.test'),
    /**
     * EHLO keywords advertised (and accepted) before and after TLS, independently.
     * STARTTLS counts only in plaintext with a STARTTLS mode; AUTH only with
     * mechanisms. Defaults: before [PIPELINING, SIZE, STARTTLS, ENHANCEDSTATUSCODES,
     * 8BITMIME], after [PIPELINING, SIZE, AUTH, ENHANCEDSTATUSCODES, 8BITMIME]
     * (Postfix with smtpd_tls_auth_only). With implicit TLS only `after` applies.
     */
    capabilities: z
      .object({
        before: Capabilities.default(['PIPELINING', 'SIZE', 'STARTTLS', 'ENHANCEDSTATUSCODES', '8BITMIME']),
        after: Capabilities.default(['PIPELINING', 'SIZE', 'AUTH', 'ENHANCEDSTATUSCODES', '8BITMIME']),
      })
      .strict()
      .prefault({}),
    auth: z
      .object({
        /** SASL mechanisms offered (RFC 4954); none: no AUTH, and the job gets no credentials. Default [PLAIN, LOGIN]. */
        mechanisms: z.array(z.enum(AUTH_MECHANISMS)).default(['PLAIN', 'LOGIN']),
        /** Mechanisms offered before TLS, when AUTH is advertised there at all. Default: `mechanisms`. */
        beforeTls: z.array(z.enum(AUTH_MECHANISMS)).optional(),
        /** MAIL without a successful AUTH gets 530 5.7.0. Default false (relay to local recipients). */
        required: z.boolean().default(false),
        /** The account accepted; handed to the client as CONFORM_USER / CONFORM_PASS. Default alice. */
        user: z.string().min(1).default('alice'),
        /** Default `conform-secret-7`. Never recorded in any event. */
        pass: z.string().min(1).default('conform-secret-7'),
      })
      .strict()
      .prefault({}),
    /** Envelope handed to the client (CONFORM_MAIL_FROM / CONFORM_MAIL_TO). */
    envelope: z
      .object({
        /** Default alice@conform.test. */
        from: z.string().default('alice@conform.test'),
        /** Default [bob@example.org]. */
        to: z.array(z.string()).min(1).default(['bob@example.org']),
      })
      .strict()
      .prefault({}),
    /**
     * Size of the message the client sends (CONFORM_INPUT_FILE). Default: the
     * standard message (about 900 bytes, with lines that start with "." and "..");
     * a larger size pads it with text lines, some of them starting with a dot too.
     */
    messageSize: z
      .number()
      .int()
      .min(0)
      .max(8 * 1024 * 1024)
      .optional(),
    /** Largest message accepted, advertised with SIZE (RFC 1870). Default 10240000, as Postfix. */
    maxMessageBytes: z
      .number()
      .int()
      .min(1024)
      .max(64 * 1024 * 1024)
      .default(10_240_000),
    /** Commands accepted on one connection before 421. Default 200. */
    maxCommands: z.number().int().min(1).max(10_000).default(200),
    /**
     * Scripted misbehaviour (servers/shared/script/schema.ts): rules that answer
     * the greeting or a command with any reply or bytes, in order, before any
     * named fault or the normal behaviour. Default none.
     */
    script: ScriptSchema.default([]),
    faults: z.array(SmtpFaultSchema).default([]),
  })
  .strict();

export type SmtpOptions = z.infer<typeof SmtpOptionsSchema>;
