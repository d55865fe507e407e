import { z } from 'zod';

/** Steps at which the server can go silent (keeping the connection open). */
export const STALL_STEPS = [
  'greeting',
  'capa',
  'stls',
  'handshake',
  'after-tls',
  'login',
  'credentials',
  'retr',
  'retr-body',
] as const;

/** Which CAPA a fault acts on: the one before TLS, the one inside TLS, or both. */
const Stage = z.enum(['before-tls', 'after-tls', 'both']);

/**
 * Scripted misbehaviour of the POP3 server, as data. The definition (what the
 * fault is) lives here; the machine carries it out and records it.
 */
export const Pop3FaultSchema = z.discriminatedUnion('kind', [
  // The three faults below keep the session in plaintext, as a man in the middle would;
  // each also offers that attacker's lure before TLS: USER and SASL PLAIN in CAPA, and
  // any login accepted, whatever the case's capabilities and TLS mode (policy.ts).
  /** STLS is left out of CAPA; `accepted`: the command still works (like smtp-server's hideSTARTTLS). Default false. */
  z.object({ kind: z.literal('stls-not-advertised'), accepted: z.boolean().default(false) }).strict(),
  z
    .object({
      kind: z.literal('stls-refused'),
      /** STLS is advertised but answered -ERR with this text. */
      text: z.string().default('[SYS/TEMP] TLS is not available right now'),
      /**
       * Reply lines pipelined in the same write right after the -ERR, as if the
       * server had answered commands not yet sent (curl's test 982, added with its
       * CVE-2021-22947 fix). Default: none.
       */
      inject: z.string().min(1).optional(),
    })
    .strict(),
  /** CAPA is answered -ERR (a pre-RFC 2449 server) at this stage. Default before-tls. */
  z.object({ kind: z.literal('capa-error'), stage: Stage.default('before-tls') }).strict(),
  /**
   * Bytes written in the same write as "+OK Begin TLS", before the handshake
   * (CVE-2021-22947's trigger). The server answers nothing inside TLS until the
   * client's own command. Default: a whole fake CAPA reply offering USER.
   */
  z
    .object({
      kind: z.literal('inject-after-stls'),
      bytes: z.string().min(1).default('+OK Capability list follows\r\nUSER\r\n.\r\n'),
    })
    .strict(),
  /** "+OK Begin TLS" and then no TLS: the server keeps reading plaintext lines. */
  z.object({ kind: z.literal('no-tls-after-go-ahead') }).strict(),
  /** The TLS handshake fails: the server has no cipher suite the client can use (handshake_failure alert). */
  z.object({ kind: z.literal('handshake-failure') }).strict(),
  /** STLS is advertised again inside TLS (and answered -ERR if used). */
  z.object({ kind: z.literal('stls-readvertised') }).strict(),
  /** The greeting is -ERR with this text, then the server closes (RFC 1939 §4). */
  z
    .object({
      kind: z.literal('greeting-error'),
      text: z.string().default('[SYS/TEMP] Service temporarily unavailable'),
    })
    .strict(),
  /** Credentials are refused (-ERR [AUTH] to PASS and AUTH), whatever they are. */
  z.object({ kind: z.literal('auth-error') }).strict(),
  /** The server goes silent at this step and never answers again. */
  z.object({ kind: z.literal('stall'), at: z.enum(STALL_STEPS) }).strict(),
  /** The connection is closed in the middle of the multi-line CAPA reply at this stage. Default before-tls. */
  z.object({ kind: z.literal('close-mid-capa'), stage: Stage.default('before-tls') }).strict(),
  /** RETR sends this fraction of the message, then closes without the "." line. Default 0.5. */
  z.object({ kind: z.literal('truncate-retr'), at: z.number().min(0).max(0.99).default(0.5) }).strict(),
  /** On the implicit-TLS port, this plaintext greeting is written before the handshake. */
  z
    .object({ kind: z.literal('plaintext-banner'), text: z.string().default('+OK POP3 server ready (in plaintext)') })
    .strict(),
]);

export type Pop3Fault = z.infer<typeof Pop3FaultSchema>;
export type Pop3FaultKind = Pop3Fault['kind'];
export type StallStep = (typeof STALL_STEPS)[number];

const STALL_WORDS: Record<StallStep, string> = {
  greeting: 'accepts the connection and never greets',
  capa: 'never answers CAPA',
  stls: 'never answers STLS',
  handshake: 'says "+OK Begin TLS" and never answers the ClientHello',
  'after-tls': 'completes the TLS handshake and never answers a command inside TLS',
  login: 'never answers the login command (USER or AUTH)',
  credentials: 'never answers the credentials (PASS, or the SASL response)',
  retr: 'never answers RETR',
  'retr-body': 'sends half of the message for RETR and goes silent',
};

/** What the plaintext-keeping faults add (policy.ts). */
const LURE =
  'CAPA offers USER and SASL PLAIN in plaintext and any login is accepted there, as a man in the middle would to lure the password out';

const STAGE_WORDS = { 'before-tls': 'before TLS', 'after-tls': 'inside TLS', both: 'before and inside TLS' } as const;

/** One sentence per fault, used in reports. */
export function explainPop3Fault(fault: Pop3Fault): string {
  switch (fault.kind) {
    case 'stls-not-advertised':
      return `CAPA does not list STLS, and STLS ${fault.accepted ? 'still works when sent' : 'is refused with -ERR'}; ${LURE}`;
    case 'stls-refused':
      return `CAPA lists STLS but the server answers it "-ERR ${fault.text}"${fault.inject ? ` followed, in the same write, by ${JSON.stringify(fault.inject)}` : ''}; ${LURE}`;
    case 'capa-error':
      return `the server answers CAPA with -ERR ${STAGE_WORDS[fault.stage]}${fault.stage === 'after-tls' ? '' : '; it accepts USER, PASS and AUTH PLAIN in plaintext, as a man in the middle would to lure the password out'}`;
    case 'inject-after-stls':
      return `the server writes ${JSON.stringify(fault.bytes)} right after "+OK Begin TLS", in the same write, before the handshake`;
    case 'no-tls-after-go-ahead':
      return 'the server says "+OK Begin TLS" and then keeps talking plaintext instead of starting TLS';
    case 'handshake-failure':
      return 'the TLS handshake fails: the server offers no cipher suite the client can use';
    case 'stls-readvertised':
      return 'the server advertises STLS again inside TLS';
    case 'greeting-error':
      return `the server greets with "-ERR ${fault.text}" and closes`;
    case 'auth-error':
      return 'the server refuses the credentials with -ERR [AUTH]';
    case 'stall':
      return `the server ${STALL_WORDS[fault.at]}`;
    case 'close-mid-capa':
      return `the server closes the connection in the middle of its multi-line CAPA reply ${STAGE_WORDS[fault.stage]}`;
    case 'truncate-retr':
      return `the server closes the connection after ${Math.round(fault.at * 100)}% of the message, without the terminating "." line`;
    case 'plaintext-banner':
      return `the implicit-TLS port writes "${fault.text}" in plaintext before the handshake`;
  }
}
