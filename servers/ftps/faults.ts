import { z } from 'zod';
import { explainFtpsRule, type FtpsScriptRule } from './script.js';

/** Steps at which the server can go silent (keeping the connection open). */
export const STALL_STEPS = ['greeting', 'auth', 'handshake', 'login', 'pasv', 'transfer'] as const;
export type StallStep = (typeof STALL_STEPS)[number];

/**
 * Scripted misbehaviour of the FTPS server, as data. The definition (what the
 * fault is) lives here; the machine and the data channel carry it out and record it.
 */
export const FtpsFaultSchema = z.discriminatedUnion('kind', [
  /**
   * AUTH TLS and AUTH SSL are refused with this code: 534 policy (default), 504
   * unknown mechanism, or 500 / 502 AUTH unknown, as from a server (or a man in
   * the middle) that strips it: then FEAT offers no AUTH, PBSZ or PROT either.
   * What follows is a man in the middle's lure: USER in clear gets 331 and any
   * PASS 230, whatever the account and the `tls` setting, so a client that goes
   * on hands over its password and its commands in clear. `inject`: bytes
   * written behind the first refusal, in the same write (curl tests 980-983);
   * a ClientHello that follows them is recorded, and the connection closed.
   */
  z
    .object({
      kind: z.literal('auth-refused'),
      code: z.enum(['500', '502', '504', '534']).default('534'),
      inject: z.string().min(1).optional(),
    })
    .strict(),
  /** The greeting is "230 already logged in" instead of 220 (curl's CVE-2021-22946 trigger). */
  z.object({ kind: z.literal('greeting-230') }).strict(),
  /** Bytes written in the same write as "234", before the handshake (CVE-2021-22947). Default: a fake 230 login reply. */
  z
    .object({
      kind: z.literal('inject-after-auth'),
      bytes: z.string().min(1).default('230 User logged in, proceed.\r\n'),
    })
    .strict(),
  /** PROT P is refused with 536 (RFC 2228: protection level not supported). */
  z.object({ kind: z.literal('prot-refused') }).strict(),
  /** The PASV (and EPSV) reply names another address, where a trap listener records any client that follows it (CVE-2020-8284). Default 127.0.0.3. */
  z
    .object({
      kind: z.literal('pasv-foreign-address'),
      address: z
        .string()
        .regex(/^127\.\d+\.\d+\.\d+$/)
        .default('127.0.0.3'),
    })
    .strict(),
  /** The data connection is never made or never accepted: 425 (or 421 and close). Default 425. */
  z.object({ kind: z.literal('no-data-connection'), code: z.enum(['425', '421']).default('425') }).strict(),
  /**
   * The transfer command gets no 150/125 (RFC 959 §5.4): the data connection is
   * accepted (or made) and then `served` the whole file, or closed `empty` at once,
   * and "226" is the only reply. Default empty.
   */
  z.object({ kind: z.literal('missing-150'), data: z.enum(['empty', 'served']).default('empty') }).strict(),
  /** After PROT P was accepted, the data connection is served in clear (no TLS on the server's side). */
  z.object({ kind: z.literal('clear-data-after-prot-p') }).strict(),
  /** The data channel closes after this fraction of the file, and 226 is sent anyway. `closeNotify`: end TLS cleanly first. */
  z
    .object({
      kind: z.literal('truncate-data'),
      at: z.number().min(0).max(0.99).default(0.5),
      closeNotify: z.boolean().default(false),
    })
    .strict(),
  /** The transfer is aborted: part of the file, then "426 Connection closed; transfer aborted". */
  z.object({ kind: z.literal('transfer-aborted') }).strict(),
  /** TYPE I is refused (504), so a client must not silently transfer in ASCII. */
  z.object({ kind: z.literal('type-i-refused') }).strict(),
  /** Replies are sent in multi-line form ("220-…" continuation lines) wherever possible. */
  z.object({ kind: z.literal('multiline-replies') }).strict(),
  /** Replies end with LF alone instead of CRLF. */
  z.object({ kind: z.literal('lf-replies') }).strict(),
  /** The server goes silent at this step and never answers again. */
  z.object({ kind: z.literal('stall'), at: z.enum(STALL_STEPS) }).strict(),
  /** On the implicit-TLS port, this plaintext greeting is written before the handshake. */
  z
    .object({ kind: z.literal('plaintext-banner'), text: z.string().default('220 FTP server ready (in plaintext)') })
    .strict(),
]);

export type FtpsFault = z.infer<typeof FtpsFaultSchema>;
export type FtpsFaultKind = FtpsFault['kind'];

const STALL_WORDS: Record<StallStep, string> = {
  greeting: 'accepts the connection and never greets',
  auth: 'never answers AUTH',
  handshake: 'says 234 and never answers the ClientHello',
  login: 'never answers USER or PASS',
  pasv: 'never answers PASV, EPSV, PORT or EPRT',
  transfer: 'says 150 and never opens or serves the data connection',
};

/** One sentence per fault, used in reports. */
export function explainFtpsFault(fault: FtpsFault): string {
  switch (fault.kind) {
    case 'auth-refused':
      return `the server refuses AUTH TLS and AUTH SSL with ${fault.code}${fault.inject ? `, writing ${JSON.stringify(fault.inject)} behind the first refusal in the same write,` : ''} then lures the login in clear as a man in the middle would (331 to any USER, 230 to any PASS)`;
    case 'greeting-230':
      return 'the server greets with "230 already logged in" instead of 220';
    case 'inject-after-auth':
      return `the server writes ${JSON.stringify(fault.bytes)} right after "234", in the same write, before the handshake`;
    case 'prot-refused':
      return 'the server refuses PROT P with 536';
    case 'pasv-foreign-address':
      return `the PASV reply names ${fault.address} instead of the server's own address`;
    case 'no-data-connection':
      return `the server never makes the data connection and answers ${fault.code}`;
    case 'missing-150':
      return `the server never sends 150 to the transfer command: it ${fault.data === 'empty' ? 'closes the data connection empty' : 'serves the file'} and answers 226 alone`;
    case 'clear-data-after-prot-p':
      return 'the server accepts PROT P and then serves the data connection in clear';
    case 'truncate-data':
      return `the data channel closes after ${Math.round(fault.at * 100)}% of the file ${fault.closeNotify ? 'with' : 'without'} close_notify, and 226 is sent anyway`;
    case 'transfer-aborted':
      return 'the server sends part of the file and answers 426 transfer aborted';
    case 'type-i-refused':
      return 'the server refuses TYPE I with 504';
    case 'multiline-replies':
      return 'the server sends its replies in multi-line form';
    case 'lf-replies':
      return 'the server ends its replies with LF alone';
    case 'stall':
      return `the server ${STALL_WORDS[fault.at]}`;
    case 'plaintext-banner':
      return `the implicit-TLS port writes "${fault.text}" in plaintext before the handshake`;
  }
}

/** The case's scripted deviations, one sentence each: its faults, and a data certificate of its own. */
export function explainFtpsSetup(options: {
  faults: FtpsFault[];
  script?: FtpsScriptRule[];
  certificate: string;
  dataCertificate?: string | undefined;
}): string[] {
  const own = options.dataCertificate !== undefined && options.dataCertificate !== options.certificate;
  return [
    ...(options.script ?? []).map(explainFtpsRule),
    ...options.faults.map(explainFtpsFault),
    ...(own
      ? [
          `data connections show the ${options.dataCertificate} certificate and resume no session of the control connection`,
        ]
      : []),
  ];
}
