/**
 * Issue #13, FTPS: every named fault is expressible with the script layer.
 * tests/script-equivalence.test.ts already proves auth-refused (504, 534 on
 * the negotiation cases), inject-after-auth, prot-refused, type-i-refused and
 * stall (every step); here are the other ten, and auth-refused on every case
 * that uses it (its lure, the codes that strip AUTH from FEAT, the bytes it
 * injects). A catalogue case using the fault is run twice, once as written and
 * once with the fault replaced by its script, against the reference client and
 * the case's fail witnesses: same verdict, same wire (tests/support/equivalence.ts),
 * the wire here also saying what crossed the data connection (payload, layer, size).
 *
 * The data channel is scripted with FTPS's `data` action beside `normal`
 * (servers/ftps/script.ts): a foreign passive address and its trap, no 150, a
 * data connection refused, closed empty, in clear or cut; `normal: { final }`
 * replaces the reply that ends a transfer, and what follows `normal` comes
 * after it. Reply-wide faults (lf-replies, multiline-replies) are `normal`
 * edits on every command, which reach the replies the data channel answers
 * later (227/229, 226).
 *
 * Not here: handshake-failure, which FTPS has no named fault for (an
 * `on: client-hello` rule with `{ alert: handshake_failure }` and `close` is
 * the script, as for SMTP and POP3; servers/ftps/scripted.test.ts runs it).
 */
import type { ServerEvent } from '../servers/shared/events.js';
import { FtpsScriptSchema } from '../servers/ftps/script.js';
import { provePairs, type Pair, type WireEntry } from './support/equivalence.js';

/** The man in the middle's lure after a refused AUTH: 331 to any USER in clear, 230 to any PASS. */
const LURE = [
  {
    on: { command: 'USER', layer: 'plaintext' },
    do: [{ reply: '331 Please specify the password.' }],
    times: 5,
    optional: true,
  },
  {
    on: { command: 'PASS', layer: 'plaintext' },
    do: [{ reply: '230 Login successful.' }, { state: 'logged-in' }],
    times: 5,
    optional: true,
  },
];
/** FEAT as a server (or a man in the middle) that strips AUTH answers it: no AUTH, PBSZ or PROT (RFC 4217 §6). */
const FEAT_STRIPPED = {
  on: { command: 'FEAT' },
  times: 5,
  optional: true,
  do: [
    { reply: ['211-Features:', ' SIZE', ' MDTM', ' EPSV', ' EPRT', ' MLST type*;size*;modify*;', ' UTF8', '211 End'] },
  ],
};
const REFUSALS: Record<string, string> = {
  500: 'Unknown command.',
  502: 'AUTH not implemented.',
  504: 'AUTH TLS not available.',
  534: 'AUTH TLS not available.',
};
const authRefused = (code: string): unknown[] => [
  { on: { command: 'AUTH' }, do: [{ reply: `${code} ${REFUSALS[code]}` }], times: 5 },
  ...(code === '500' || code === '502' ? [FEAT_STRIPPED] : []),
  ...LURE,
];
/** The refusal with bytes behind the first one, in the same write; a ClientHello they drew is recorded and the connection closed. */
const authRefusedInjecting = (code: string, inject: string): unknown[] => [
  { on: { command: 'AUTH', nth: 1 }, do: [{ reply: `${code} ${REFUSALS[code]}` }, { send: inject }] },
  { on: { command: 'AUTH' }, do: [{ reply: `${code} ${REFUSALS[code]}` }], times: 5, optional: true },
  { on: 'client-hello', do: ['close'], optional: true },
  ...(code === '500' || code === '502' ? [FEAT_STRIPPED] : []),
  ...LURE,
];
/** Every reply edited: the greeting and each command's answer, the data channel's later replies with it. */
const everyReply = (edit: Record<string, unknown>, keep: unknown[] = []): unknown[] => [
  { on: 'greeting', do: [{ normal: edit }] },
  ...keep,
  { on: { command: '*' }, do: [{ normal: edit }], times: 1000 },
];
const retr = (...actions: unknown[]): unknown[] => [{ on: { command: 'RETR' }, do: actions }];

const PAIRS: Pair[] = [
  {
    fault: 'ftps pasv-foreign-address',
    caseId: 'ftps.data.foreign-pasv-address',
    script: [{ on: { command: 'PASV' }, do: ['normal', { data: { address: '127.0.0.3' } }], times: 10 }],
  },
  {
    fault: 'ftps no-data-connection 425',
    caseId: 'ftps.data.no-data-connection-425',
    script: retr('normal', { data: { connection: 'refuse' } }),
  },
  {
    fault: 'ftps no-data-connection 421',
    caseId: 'ftps.data.no-data-connection-421',
    script: retr(
      { normal: { final: '421 Service not available, closing control connection.' } },
      { data: { connection: 'refuse' } },
      'close',
    ),
  },
  {
    fault: 'ftps missing-150 empty',
    caseId: 'ftps.data.missing-150-empty',
    script: [
      {
        on: { command: ['LIST', 'NLST', 'MLSD'] },
        do: ['normal', { data: { preliminary: false, connection: 'close' } }],
      },
    ],
  },
  {
    fault: 'ftps missing-150 served',
    caseId: 'ftps.data.missing-150-served',
    script: retr('normal', { data: { preliminary: false } }),
  },
  {
    fault: 'ftps clear-data-after-prot-p',
    caseId: 'ftps.data.clear-after-prot-p',
    script: retr('normal', { data: { tls: false } }),
  },
  {
    fault: 'ftps truncate-data close_notify',
    caseId: 'ftps.data.truncated-close-notify-true',
    script: retr('normal', { data: { cut: 0.5, end: 'close' } }),
  },
  {
    fault: 'ftps truncate-data no close_notify',
    caseId: 'ftps.data.truncated-close-notify-false',
    script: retr('normal', { data: { cut: 0.5, end: 'close-without-notify' } }),
  },
  {
    fault: 'ftps transfer-aborted',
    caseId: 'ftps.data.aborted',
    script: retr({ normal: { final: '426 Connection closed; transfer aborted.' } }, { data: { cut: 0.5 } }),
  },
  {
    fault: 'ftps greeting-230',
    caseId: 'ftps.injection.greeting-230',
    script: [{ on: 'greeting', do: [{ reply: '230 Already logged in.' }, { state: 'logged-in' }] }],
  },
  { fault: 'ftps lf-replies', caseId: 'ftps.integrity.lf-replies', script: everyReply({ lineEnd: 'lf' }) },
  // FEAT is multi-line already: the fault leaves it as it is.
  {
    fault: 'ftps multiline-replies',
    caseId: 'ftps.integrity.multiline-replies',
    script: everyReply({ add: 'Conform FTP server' }, [
      { on: { command: 'FEAT' }, do: ['normal'], times: 100, optional: true },
    ]),
  },
  {
    fault: 'ftps plaintext-banner',
    caseId: 'ftps.robustness.implicit-plaintext-banner',
    script: [{ on: 'connect', do: [{ send: '220 FTP server ready (in plaintext)\\r\\n' }] }],
  },
  ...['500', '502', '504', '534'].map(
    (code): Pair => ({
      fault: `ftps auth-refused ${code} (lure, TLS required)`,
      caseId: `ftps.lure.password-${code}`,
      script: authRefused(code),
    }),
  ),
  ...['download', 'upload', 'list'].map(
    (action): Pair => ({
      fault: `ftps auth-refused (anonymous ${action})`,
      caseId: `ftps.lure.commands-${action}`,
      script: authRefused('534'),
    }),
  ),
  { fault: 'ftps auth-refused (opportunistic)', caseId: 'ftps.negotiation.opportunistic', script: authRefused('534') },
  {
    fault: 'ftps auth-refused inject 234',
    caseId: 'ftps.refusal-injection.no-tls-on-injected-234',
    script: authRefusedInjecting('504', '234 AUTH TLS OK.\\r\\n'),
  },
  {
    fault: 'ftps auth-refused inject 234 (TLS optional)',
    caseId: 'ftps.refusal-injection.no-tls-on-injected-234-optional',
    script: authRefusedInjecting('504', '234 AUTH TLS OK.\\r\\n'),
  },
  {
    fault: 'ftps auth-refused inject 230',
    caseId: 'ftps.refusal-injection.no-login-on-injected-230',
    script: authRefusedInjecting('502', '230 User logged in, proceed.\\r\\n'),
  },
  {
    fault: 'ftps auth-refused inject 230 (TLS optional)',
    caseId: 'ftps.refusal-injection.no-login-on-injected-230-optional',
    script: authRefusedInjecting('502', '230 User logged in, proceed.\\r\\n'),
  },
];

/** What crossed the data connection: in which layer, how many bytes, all of them or not. */
function dataWire(e: ServerEvent): WireEntry[] {
  const f = e as unknown as Record<string, unknown>;
  if (e.type === 'payload-sent')
    return [['data', `${String(f.layer)} payload-sent ${String(f.bytes)}${f.complete ? '' : ' (part)'}`]];
  if (e.type === 'payload-received') return [['data', `${String(f.layer)} payload-received ${String(f.bytes)}`]];
  return [];
}

provePairs(PAIRS, (script) => FtpsScriptSchema.parse(script), dataWire);
