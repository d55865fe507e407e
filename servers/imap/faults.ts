import { z } from 'zod';

/** Steps at which the server can go silent (keeping the connection open). */
export const STALL_STEPS = [
  'greeting',
  'capability',
  'starttls',
  'handshake',
  'after-tls',
  'login',
  'select',
  'fetch',
  'fetch-body',
] as const;

/** Commands a foreign-tag completion can be written ahead of. */
export const FOREIGN_TAG_STEPS = ['capability', 'login', 'select', 'fetch'] as const;

/** A tag no client sent: RFC 9051 §9's tag grammar, letters and digits only. */
const Tag = z.string().regex(/^[A-Za-z0-9.]{1,16}$/, 'a tag: letters, digits and dots');

/**
 * Scripted misbehaviour of the IMAP server, as data. The definition (what the
 * fault is) lives here; the machine carries it out and records a `fault` event
 * at that moment.
 */
export const ImapFaultSchema = z.discriminatedUnion('kind', [
  // The two faults below keep the session in plaintext, as a man in the middle would; each
  // also offers that attacker's lure before TLS: AUTH=PLAIN and no LOGINDISABLED, any login
  // accepted, whatever the case's capabilities and TLS mode (policy.ts).
  /** STARTTLS is left out of every capability list (greeting and CAPABILITY); `accepted`: the command still works. Default false (answered BAD). */
  z.object({ kind: z.literal('starttls-stripped'), accepted: z.boolean().default(false) }).strict(),
  z
    .object({
      kind: z.literal('starttls-refused'),
      /** STARTTLS is advertised but answered with this status (RFC 9051 §6.2.1 lists BAD; NO is a server that cannot). Default NO. */
      status: z.enum(['NO', 'BAD']).default('NO'),
      /** The text after the status. Default "[UNAVAILABLE] TLS is not available right now." */
      text: z.string().default('[UNAVAILABLE] TLS is not available right now.'),
      /**
       * Response lines written in the same write right after the refusal, as if the
       * server had answered commands not yet sent (curl's fix for CVE-2021-22947
       * rejects such lines). Default: none.
       */
      inject: z.string().min(1).optional(),
    })
    .strict(),
  /**
   * STARTTLS is listed in the greeting's CAPABILITY code only (`greeting-only`)
   * or nowhere (`nowhere`), and works when sent: a server, not an attacker
   * (smtp-server's hideSTARTTLS). Default greeting-only.
   */
  z
    .object({
      kind: z.literal('starttls-hidden'),
      where: z.enum(['greeting-only', 'nowhere']).default('greeting-only'),
    })
    .strict(),
  /**
   * Bytes written in the same write as the tagged OK to STARTTLS, before the
   * handshake (CVE-2021-22947's trigger). The server answers nothing inside TLS
   * until the client's own command. Default: an untagged CAPABILITY offering AUTH=PLAIN.
   */
  z
    .object({
      kind: z.literal('inject-after-starttls'),
      bytes: z.string().min(1).default('* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n'),
    })
    .strict(),
  /**
   * The answer to STARTTLS carries capabilities, before TLS: an untagged
   * CAPABILITY ahead of the tagged OK (`untagged`) or a CAPABILITY code in it
   * (`code`). Whatever it lists is pre-TLS knowledge (RFC 9051 §6.2.1).
   * Default: untagged, offering AUTH=PLAIN.
   */
  z
    .object({
      kind: z.literal('capability-in-starttls-ok'),
      form: z.enum(['untagged', 'code']).default('untagged'),
      capabilities: z
        .string()
        .regex(/^[\x21-\x7e]+( [\x21-\x7e]+)*$/)
        .default('IMAP4rev1 AUTH=PLAIN'),
    })
    .strict(),
  /** Untagged responses written right behind the greeting, in the same write, in plaintext. Default: a CAPABILITY without STARTTLS, and an ALERT. */
  z
    .object({
      kind: z.literal('untagged-before-tls'),
      lines: z
        .array(z.string().regex(/^\* [^\r\n]*$/, 'an untagged response line ("* ...")'))
        .min(1)
        .default(['* CAPABILITY IMAP4rev1 AUTH=PLAIN', '* OK [ALERT] Your mailbox is almost full.']),
    })
    .strict(),
  /** The tagged OK to STARTTLS, and then no TLS: the server keeps reading plaintext lines. */
  z.object({ kind: z.literal('no-tls-after-go-ahead') }).strict(),
  /** The TLS handshake fails: the server has no cipher suite the client can use (handshake_failure alert). */
  z.object({ kind: z.literal('handshake-failure') }).strict(),
  /** STARTTLS is advertised again inside TLS (and answered BAD if used); RFC 9051 §6.2.1 has the server not do so (SHOULD NOT). */
  z.object({ kind: z.literal('starttls-readvertised') }).strict(),
  /** The greeting is PREAUTH (RFC 9051 §7.1.4): the session starts authenticated, where STARTTLS is no longer possible. */
  z.object({ kind: z.literal('preauth') }).strict(),
  /** The greeting is BYE with this text, then the server closes (RFC 9051 §7.1.5). */
  z
    .object({
      kind: z.literal('greeting-bye'),
      text: z.string().default('[UNAVAILABLE] Server is busy, try again later.'),
    })
    .strict(),
  /** LOGIN is accepted even where LOGINDISABLED is advertised (RFC 9051 §7.2.2 has the server refuse it). */
  z.object({ kind: z.literal('logindisabled-ignored') }).strict(),
  /** Credentials are refused (NO [AUTHENTICATIONFAILED] to LOGIN and AUTHENTICATE), whatever they are. */
  z.object({ kind: z.literal('login-refused') }).strict(),
  /**
   * A tagged OK with a tag the client never sent, written ahead of the
   * server's own answer to this command (RFC 9051 §2.2.2: the completion is
   * "tagged with the same tag as the client command that began the operation").
   */
  z
    .object({
      kind: z.literal('foreign-tag'),
      at: z.enum(FOREIGN_TAG_STEPS).default('fetch'),
      tag: Tag.default('Z999'),
    })
    .strict(),
  /** The server goes silent at this step and never answers again. */
  z.object({ kind: z.literal('stall'), at: z.enum(STALL_STEPS) }).strict(),
  /** FETCH sends this fraction of message 1's literal, then closes the connection. Default 0.5. */
  z.object({ kind: z.literal('truncate-literal'), at: z.number().min(0).max(0.99).default(0.5) }).strict(),
  /** On the implicit-TLS port, this plaintext greeting is written before the handshake. */
  z
    .object({ kind: z.literal('plaintext-banner'), text: z.string().default('* OK IMAP server ready (in plaintext)') })
    .strict(),
]);

export type ImapFault = z.infer<typeof ImapFaultSchema>;
export type ImapFaultKind = ImapFault['kind'];
export type StallStep = (typeof STALL_STEPS)[number];
export type ForeignTagStep = (typeof FOREIGN_TAG_STEPS)[number];

const STALL_WORDS: Record<StallStep, string> = {
  greeting: 'accepts the connection and never greets',
  capability: 'never answers the first CAPABILITY before TLS',
  starttls: 'never answers STARTTLS',
  handshake: 'answers STARTTLS with OK and never answers the ClientHello',
  'after-tls': 'completes the TLS handshake and never answers a command inside TLS',
  login: 'never answers the login (LOGIN or AUTHENTICATE)',
  select: 'never answers SELECT or EXAMINE',
  fetch: 'never answers FETCH',
  'fetch-body': "sends half of message 1's literal for FETCH and goes silent",
};

/** What the plaintext-keeping faults add (policy.ts). */
const LURE =
  'the capabilities before TLS offer AUTH=PLAIN without LOGINDISABLED and any login is accepted there, as a man in the middle would to lure the password out';

/** One sentence per fault, used in reports. */
export function explainImapFault(fault: ImapFault): string {
  switch (fault.kind) {
    case 'starttls-stripped':
      return `no capability list names STARTTLS, and STARTTLS ${fault.accepted ? 'still works when sent' : 'is answered BAD'}; ${LURE}`;
    case 'starttls-refused':
      return `the capabilities list STARTTLS but the server answers it "${fault.status} ${fault.text}"${fault.inject ? ` followed, in the same write, by ${JSON.stringify(fault.inject)}` : ''}; ${LURE}`;
    case 'starttls-hidden':
      return fault.where === 'greeting-only'
        ? "STARTTLS is listed in the greeting's CAPABILITY code but not in the CAPABILITY response, and works when sent"
        : 'STARTTLS is listed nowhere, and works when sent';
    case 'inject-after-starttls':
      return `the server writes ${JSON.stringify(fault.bytes)} right after its OK to STARTTLS, in the same write, before the handshake`;
    case 'capability-in-starttls-ok':
      return fault.form === 'untagged'
        ? `the server answers STARTTLS with "* CAPABILITY ${fault.capabilities}" before its tagged OK, in plaintext`
        : `the server's tagged OK to STARTTLS carries "[CAPABILITY ${fault.capabilities}]", in plaintext`;
    case 'untagged-before-tls':
      return `the server writes ${fault.lines.map((l) => JSON.stringify(l)).join(', ')} right behind its greeting, in plaintext`;
    case 'no-tls-after-go-ahead':
      return 'the server answers STARTTLS with OK and then keeps talking plaintext instead of starting TLS';
    case 'handshake-failure':
      return 'the TLS handshake fails: the server offers no cipher suite the client can use';
    case 'starttls-readvertised':
      return 'the server advertises STARTTLS again inside TLS';
    case 'preauth':
      return 'the server greets with PREAUTH: the session starts authenticated, where STARTTLS is not possible';
    case 'greeting-bye':
      return `the server greets with "* BYE ${fault.text}" and closes`;
    case 'logindisabled-ignored':
      return 'the server advertises LOGINDISABLED and accepts LOGIN anyway';
    case 'login-refused':
      return 'the server refuses the credentials with NO [AUTHENTICATIONFAILED]';
    case 'foreign-tag':
      return `the server writes "${fault.tag} OK" (a tag the client never sent) ahead of its own answer to ${fault.at === 'login' ? 'the login' : fault.at.toUpperCase()}`;
    case 'stall':
      return `the server ${STALL_WORDS[fault.at]}`;
    case 'truncate-literal':
      return `the server closes the connection after ${Math.round(fault.at * 100)}% of message 1's literal in its FETCH response`;
    case 'plaintext-banner':
      return `the implicit-TLS port writes "${fault.text}" in plaintext before the handshake`;
  }
}
