/** USER, PASS (RFC 1939 §7) and AUTH PLAIN (RFC 5034, RFC 4616): the login commands. */
import type { MachineOutput, RecordedEvent } from '../../shared/line-session.js';
import type { Pop3Context } from '../session.js';
import { err, faultEvent, ok, prepend, stall, stallAt } from '../session.js';
import type { CommandDef } from './types.js';

/** The SASL mechanisms this server implements (RFC 5034 §3: the SASL capability lists them). */
export const SASL_MECHANISMS = ['PLAIN'] as const;

/** Never the secret: only who, how, and in which layer (the event log travels into reports). */
function credentials(ctx: Pop3Context, mechanism: string, user: string): RecordedEvent {
  return { type: 'credentials', fields: { layer: ctx.state.layer, mechanism, user: user.slice(0, 128) } };
}

/** The end of a login: the maildrop opens (TRANSACTION) or the credentials are refused. */
function finishLogin(ctx: Pop3Context, user: string, pass: string): MachineOutput {
  const stalling = stallAt(ctx, 'credentials');
  if (stalling) return stall(ctx, stalling);
  const refuse = ctx.fault('auth-error');
  if (refuse) return prepend([faultEvent(refuse)], err(ctx, '[AUTH] Authentication failed.'));
  const want = ctx.options.credentials;
  if (user !== want.user || pass !== want.pass) return err(ctx, '[AUTH] Authentication failed.');
  ctx.state.phase = 'transaction';
  return ok(ctx, 'Logged in.');
}

const USER: CommandDef = {
  verb: 'USER',
  capability: { keyword: 'USER', line: 'USER' },
  phases: ['authorization'],
  login: true,
  handle(ctx, args) {
    const stalling = stallAt(ctx, 'login');
    if (stalling) return stall(ctx, stalling);
    if (!args) return err(ctx, 'No username given.');
    ctx.state.user = args;
    return ok(ctx, '');
  },
};

const PASS: CommandDef = {
  verb: 'PASS',
  capability: { keyword: 'USER', line: 'USER' },
  phases: ['authorization'],
  redact: (args) => (args ? '<redacted>' : ''),
  login: true,
  // RFC 1939 §13: the password crossed the wire, whatever the server answers.
  evidence: (ctx) => [credentials(ctx, 'USER/PASS', ctx.state.user ?? '')],
  handle(ctx, args) {
    const user = ctx.state.user;
    ctx.state.user = undefined;
    if (user === undefined) return err(ctx, 'No username given.');
    return finishLogin(ctx, user, args);
  },
};

/** RFC 4616 §2: message = [authzid] NUL authcid NUL passwd, base64 on the wire (RFC 5034 §4). */
function decodePlain(b64: string): { user: string; pass: string } | undefined {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64)) return undefined;
  const parts = Buffer.from(b64, 'base64').toString('utf8').split('\0');
  return parts.length === 3 ? { user: parts[1]!, pass: parts[2]! } : undefined;
}

/** The SASL PLAIN response, from AUTH's initial response or the line after "+ ". */
export function saslResponse(ctx: Pop3Context, line: string): MachineOutput {
  ctx.state.saslPending = false;
  if (line === '*') return err(ctx, 'Authentication aborted by client.');
  const decoded = decodePlain(line);
  if (!decoded) return err(ctx, '[AUTH] Invalid base64 data in response.');
  return prepend([credentials(ctx, 'PLAIN', decoded.user)], finishLogin(ctx, decoded.user, decoded.pass));
}

const AUTH: CommandDef = {
  verb: 'AUTH',
  capability: { keyword: 'SASL', line: `SASL ${SASL_MECHANISMS.join(' ')}` },
  phases: ['authorization'],
  // The mechanism is shown; an initial response is a secret (RFC 4616 §2 carries the password).
  redact: (args) => args.replace(/ .*/, ' <redacted>'),
  login: true,
  handle(ctx, args) {
    const stalling = stallAt(ctx, 'login');
    if (stalling) return stall(ctx, stalling);
    const [mechanism = '', initial] = args.split(' ');
    if (!(SASL_MECHANISMS as readonly string[]).includes(mechanism.toUpperCase()))
      return err(ctx, 'Unsupported authentication mechanism.');
    // RFC 5034 §4: "=" is an empty initial response; none at all means the server sends "+ ".
    if (initial !== undefined) return saslResponse(ctx, initial === '=' ? '' : initial);
    ctx.state.saslPending = true;
    return { write: '+ \r\n', record: [{ type: 'reply', fields: { layer: ctx.state.layer, code: '+', text: '' } }] };
  },
};

export const LOGIN_COMMANDS: readonly CommandDef[] = [USER, PASS, AUTH];
