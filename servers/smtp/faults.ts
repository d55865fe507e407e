import { z } from 'zod';

/** Steps of an SMTP session a stall can follow (command verbs, plus the greeting and the message). */
export const STALL_STEPS = ['greeting', 'ehlo', 'starttls', 'auth', 'mail', 'rcpt', 'data', 'message'] as const;

/**
 * Scripted misbehaviour of the SMTP server, as data. The definition (what the
 * fault is) lives here; the machine and the socket shell carry it out.
 */
export const SmtpFaultSchema = z.discriminatedUnion('kind', [
  // The four faults below keep the session in plaintext, as a man in the middle would
  // (RFC 3207 §6); each also offers that attacker's lure in plaintext: AUTH PLAIN LOGIN
  // advertised and accepted, whatever the case's AUTH settings (capabilities.ts).
  /** STARTTLS is not advertised but is still accepted (nodemailer's `hideSTARTTLS`). */
  z.object({ kind: z.literal('hide-starttls') }).strict(),
  /** STARTTLS is neither advertised nor accepted (a man in the middle stripped it). */
  z.object({ kind: z.literal('strip-starttls') }).strict(),
  z
    .object({
      kind: z.literal('refuse-starttls'),
      /** The reply to STARTTLS, although it is advertised. Default 454. */
      code: z.enum(['454', '502', '500', '354']).default('454'),
      /**
       * Reply lines pipelined in the same write right after the refusal, as if
       * the server had answered commands not yet sent (curl's tests 980-983,
       * added with its CVE-2021-22947 fix). Default: none.
       */
      inject: z.string().min(1).optional(),
    })
    .strict(),
  /** EHLO is answered 500 (a server that is not ESMTP); HELO still works, and AUTH is still accepted. */
  z.object({ kind: z.literal('refuse-ehlo') }).strict(),
  z
    .object({
      kind: z.literal('inject-after-starttls'),
      /** Bytes sent in the same write as "220 Ready to start TLS", before the handshake. */
      bytes: z.string().min(1).default('250-mail.conform.test\r\n250 AUTH PLAIN\r\n'),
    })
    .strict(),
  /** After "220 Ready to start TLS" the server does not start TLS and keeps reading plaintext. */
  z.object({ kind: z.literal('no-tls-after-go-ahead') }).strict(),
  /** The TLS handshake fails: the server accepts only a cipher suite no usual client offers, and sends an alert. */
  z.object({ kind: z.literal('handshake-failure') }).strict(),
  /** STARTTLS is advertised again in the EHLO reply inside TLS (RFC 3207 §4.2 forbids it). */
  z.object({ kind: z.literal('starttls-after-tls') }).strict(),
  z
    .object({
      kind: z.literal('refuse-greeting'),
      /** 421: not available, then close; 554: no service here, then 503 to everything but QUIT (RFC 5321 §3.1). Default 554. */
      code: z.enum(['421', '554']).default('554'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('reject-rcpt'),
      /** Reply to the recipients concerned. Default 550. */
      code: z.enum(['450', '451', '550', '554']).default('550'),
      /** Only recipients containing this text. Default: every recipient. */
      match: z.string().optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('reject-message'),
      /** Reply after the end of the message data. Default 554. */
      code: z.enum(['451', '452', '552', '554']).default('554'),
    })
    .strict(),
  /** Every AUTH is answered 535, whatever the credentials. */
  z.object({ kind: z.literal('reject-auth') }).strict(),
  z
    .object({
      kind: z.literal('stall'),
      /** The step at which the server goes silent, keeping the connection open. */
      at: z.enum(STALL_STEPS),
      /** Only in this layer (e.g. the EHLO inside TLS). Default: the first time the step comes. */
      layer: z.enum(['plaintext', 'tls']).optional(),
    })
    .strict(),
  z
    .object({
      kind: z.literal('close-mid-reply'),
      /** The multi-line reply cut short: the EHLO reply, or the reply after the message. Default ehlo. */
      at: z.enum(['ehlo', 'message']).default('ehlo'),
    })
    .strict(),
  z
    .object({
      kind: z.literal('plaintext-banner'),
      /** Written in plaintext on the implicit-TLS port before the handshake. */
      text: z.string().min(1).default('220 mail.conform.test ESMTP ready\r\n'),
    })
    .strict(),
]);

export type SmtpFault = z.infer<typeof SmtpFaultSchema>;
export type SmtpFaultKind = SmtpFault['kind'];
export type FaultOf<K extends SmtpFaultKind> = Extract<SmtpFault, { kind: K }>;

export { findFault } from '../shared/fault-kit.js';

const show = (s: string): string => JSON.stringify(s);
/** What the plaintext-keeping faults add (capabilities.ts). */
const LURE = 'offers AUTH PLAIN LOGIN in plaintext, as a man in the middle would to lure the password out';

/** One sentence per fault, used in reports. */
export function explainSmtpFault(fault: SmtpFault): string {
  switch (fault.kind) {
    case 'hide-starttls':
      return `the server does not advertise STARTTLS but accepts it, and ${LURE}`;
    case 'strip-starttls':
      return `the server neither advertises nor accepts STARTTLS, as if a man in the middle stripped it, and ${LURE}`;
    case 'refuse-starttls':
      return `the server advertises STARTTLS but answers it with ${fault.code}${fault.inject ? ` followed, in the same write, by ${show(fault.inject)}` : ''}, and ${LURE}`;
    case 'refuse-ehlo':
      return 'the server answers EHLO with 500 (not ESMTP); only HELO works, with no extensions, yet AUTH PLAIN and LOGIN are accepted in plaintext as a man in the middle would accept them';
    case 'inject-after-starttls':
      return `the server sends ${show(fault.bytes)} in the same write as its "220 Ready to start TLS", before the handshake`;
    case 'no-tls-after-go-ahead':
      return 'the server answers STARTTLS with 220 but never starts TLS, and keeps reading plaintext';
    case 'handshake-failure':
      return 'the server fails the TLS handshake with an alert (it accepts only a cipher suite the client does not offer)';
    case 'starttls-after-tls':
      return 'the server advertises STARTTLS again in its EHLO reply inside TLS';
    case 'refuse-greeting':
      return fault.code === '421'
        ? 'the server greets with 421 and closes'
        : 'the server greets with 554 and answers 503 to everything but QUIT';
    case 'reject-rcpt':
      return `the server answers ${fault.code} to RCPT${fault.match ? ` for recipients containing ${show(fault.match)}` : ''}`;
    case 'reject-message':
      return `the server answers ${fault.code} after the end of the message data`;
    case 'reject-auth':
      return 'the server answers 535 to every AUTH, whatever the credentials';
    case 'stall':
      return `the server goes silent at ${fault.at === 'greeting' ? 'the greeting' : fault.at === 'message' ? 'the end of the message' : fault.at.toUpperCase()}${fault.layer ? ` (${fault.layer})` : ''} and never answers`;
    case 'close-mid-reply':
      return `the server closes the connection in the middle of its multi-line ${fault.at === 'ehlo' ? 'EHLO reply' : 'reply to the message'}`;
    case 'plaintext-banner':
      return `the server writes ${show(fault.text)} in plaintext on the implicit-TLS port before the handshake`;
  }
}
