import { z } from 'zod';
import { CertificateSchema, TlsVersionSchema } from '../shared/tls-options.js';
import { ClientCertSchema } from '../shared/client-cert.js';
import { scriptFor } from '../shared/script/schema.js';
import { ImapFaultSchema } from './faults.js';
import { CAPABILITY_NAMES } from './capabilities.js';

const Capability = z.enum(CAPABILITY_NAMES);
/** A userid or password a LOGIN can carry as an atom or a quoted string (RFC 9051 §9 astring). */
const Secret = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[\x21-\x7e]+$/);

/** A case's `server:` block for the IMAP server. Every field has a default, like Dovecot's. */
export const ImapOptionsSchema = z
  .object({
    /**
     * `starttls`: STARTTLS offered, login accepted either way (default; a
     * client's mistake then shows on the wire); `starttls-required`:
     * LOGINDISABLED and no AUTH=PLAIN before TLS, LOGIN and AUTHENTICATE refused
     * there (Dovecot's disable_plaintext_auth, RFC 9051 §6.2.3); `implicit`: TLS
     * from the first byte (RFC 8314 §3.3, port 993 style); `none`: no TLS at all.
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
    /**
     * Capabilities advertised, and accepted, before and inside TLS,
     * independently. STARTTLS is not listed here: the TLS mode and faults decide
     * it. Default for both: IMAP4rev1 SASL-IR ID ENABLE LITERAL+ UNSELECT
     * AUTH=PLAIN (with `starttls-required`, LOGINDISABLED instead of AUTH=PLAIN
     * before TLS).
     */
    capabilities: z
      .object({
        before: z.array(Capability).optional(),
        after: z.array(Capability).optional(),
      })
      .strict()
      .prefault({}),
    /** The greeting carries the capability list in a CAPABILITY code (RFC 9051 §7.1), as Dovecot's does. Default true. */
    greetingCapabilities: z.boolean().default(true),
    /**
     * The connection is pre-authenticated: the greeting is PREAUTH (RFC 9051
     * §7.1.4) and no login follows. A server should do so only where TLS
     * protects the connection (`tls: implicit`). Default false.
     */
    preauth: z.boolean().default(false),
    /** The account the server accepts; it becomes CONFORM_USER / CONFORM_PASS. Default conform / conform-imap-secret. */
    credentials: z
      .object({
        user: Secret.default('conform'),
        pass: Secret.default('conform-imap-secret'),
      })
      .strict()
      .prefault({}),
    /** INBOX. Default: 2 messages, message 1 the standard one. */
    mailbox: z
      .object({
        /** `standard`: a realistic RFC 5322 message of about 1 KiB whose lines look like IMAP responses; `large`: about 1 MiB of them. Default standard. */
        message: z.enum(['standard', 'large']).default('standard'),
        /** Messages in INBOX (message 1 is the one retrieved). Default 2. */
        count: z.number().int().min(1).max(10).default(2),
      })
      .strict()
      .prefault({}),
    /**
     * Scripted misbehaviour (servers/shared/script/schema.ts): rules that answer
     * the greeting or a command (by its verb, never its tag) with any response
     * or bytes, in order, before any named fault or the normal behaviour.
     * `{tag}` in a rule's `reply` or `send` stands for the tag of the command it
     * answers. Default none.
     */
    script: scriptFor('IMAP', ['message']).default([]),
    faults: z.array(ImapFaultSchema).default([]),
  })
  .strict();

export type ImapOptions = z.infer<typeof ImapOptionsSchema>;
