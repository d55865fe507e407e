/** LOGIN (RFC 9051 §6.2.3) and AUTHENTICATE PLAIN (§6.2.2, RFC 4616, SASL-IR RFC 4959): the login commands. */
import type { MachineOutput, RecordedEvent } from '../../shared/line-session.js';
import { loggedInList } from '../capability-list.js';
import { accepts, loginCommandAllowed, plaintextLoginAllowed } from '../policy.js';
import { astring } from '../parse.js';
import type { ImapContext } from '../session.js';
import { continuation, faultEvent, prepend, stall, stallAt, tagged } from '../session.js';
import type { CommandDef } from './types.js';
import { foreignTag } from './foreign-tag.js';

/** Never the secret: only who, how, and in which layer (the event log travels into reports). */
function credentials(ctx: ImapContext, mechanism: string, user: string): RecordedEvent {
  return { type: 'credentials', fields: { layer: ctx.state.layer, mechanism, user: user.slice(0, 128) } };
}

/** RFC 9051 §7.1 PRIVACYREQUIRED: the operation needs a confidential connection. */
const PRIVACY = '[PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.';

/** The end of a login: the authenticated state (with the new capabilities in the OK, §6.2.3), or the credentials refused. */
function finishLogin(ctx: ImapContext, tag: string, user: string, pass: string): MachineOutput {
  const stalling = stallAt(ctx, 'login');
  if (stalling) return stall(ctx, stalling);
  const refuse = ctx.fault('login-refused');
  const failed = tagged(ctx, tag, 'NO', '[AUTHENTICATIONFAILED] Authentication failed.');
  if (refuse) return foreignTag(ctx, 'login', prepend([faultEvent(refuse)], failed));
  const want = ctx.options.credentials;
  if (user !== want.user || pass !== want.pass) return foreignTag(ctx, 'login', failed);
  ctx.state.state = 'authenticated';
  return foreignTag(ctx, 'login', tagged(ctx, tag, 'OK', `[CAPABILITY ${loggedInList(ctx).join(' ')}] Logged in`));
}

const LOGIN: CommandDef = {
  verb: 'LOGIN',
  states: ['not-authenticated'],
  redact: (cmd) => {
    const user = astring(cmd.tokens?.[0]);
    return user === undefined ? '<unparsed, redacted>' : `${JSON.stringify(user.slice(0, 64))} <redacted>`;
  },
  // RFC 9051 §6.2.3: the password crossed the wire, whatever the server answers.
  evidence: (ctx, cmd) => {
    const user = astring(cmd.tokens?.[0]);
    return user !== undefined && cmd.tokens!.length >= 2 ? [credentials(ctx, 'LOGIN', user)] : [];
  },
  handle(ctx, cmd) {
    if (!loginCommandAllowed(ctx)) return tagged(ctx, cmd.tag, 'NO', PRIVACY);
    const [user, pass] = [astring(cmd.tokens?.[0]), astring(cmd.tokens?.[1])];
    if (user === undefined || pass === undefined || cmd.tokens!.length !== 2)
      return tagged(ctx, cmd.tag, 'BAD', 'Error in IMAP command LOGIN: Invalid arguments.');
    return finishLogin(ctx, cmd.tag, user, pass);
  },
};

/** RFC 4616 §2: message = [authzid] NUL authcid NUL passwd, base64 on the wire. */
function decodePlain(b64: string): { user: string; pass: string } | undefined {
  // RFC 9051 §6.2.2: characters outside the alphabet, or "=" anywhere but at the end, are invalid.
  if (!/^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(b64)) return undefined;
  const parts = Buffer.from(b64, 'base64').toString('utf8').split('\0');
  return parts.length === 3 ? { user: parts[1]!, pass: parts[2]! } : undefined;
}

/**
 * The SASL PLAIN response, from the initial response or the line after "+ ".
 * RFC 9051 §6.2.2: "*" cancels, and invalid base64 is answered "with a tagged BAD response".
 */
export function saslResponse(ctx: ImapContext, tag: string, line: string, recorded = false): MachineOutput {
  ctx.state.saslTag = undefined;
  if (line === '*') return tagged(ctx, tag, 'BAD', 'Authentication aborted by client.');
  const decoded = decodePlain(line);
  if (!decoded) return tagged(ctx, tag, 'BAD', 'Invalid base64 data in response.');
  const finished = finishLogin(ctx, tag, decoded.user, decoded.pass);
  return recorded ? finished : prepend([credentials(ctx, 'PLAIN', decoded.user)], finished);
}

const AUTHENTICATE: CommandDef = {
  verb: 'AUTHENTICATE',
  states: ['not-authenticated'],
  // The mechanism is shown; an initial response is a secret (RFC 4616 §2 carries the password).
  redact: (cmd) => cmd.argText.replace(/^(\S+) .*/, '$1 <redacted>'),
  // An initial response carries the password whatever the server answers (refused before TLS included).
  evidence: (ctx, cmd) => {
    const [mechanism, initial] = (cmd.tokens ?? []).map((t) => t.value);
    const decoded = mechanism?.toUpperCase() === 'PLAIN' && initial !== undefined ? decodePlain(initial) : undefined;
    return decoded ? [credentials(ctx, 'PLAIN', decoded.user)] : [];
  },
  handle(ctx, cmd) {
    const [mechanism, initial, more] = (cmd.tokens ?? []).map((t) => (t.kind === 'atom' ? t.value : undefined));
    if (!mechanism || more !== undefined || (cmd.tokens?.length ?? 0) > 2)
      return tagged(ctx, cmd.tag, 'BAD', 'Error in IMAP command AUTHENTICATE: Invalid arguments.');
    if (!plaintextLoginAllowed(ctx)) return tagged(ctx, cmd.tag, 'NO', PRIVACY);
    // RFC 9051 §6.2.2: an unsupported mechanism SHOULD get a tagged NO.
    if (mechanism.toUpperCase() !== 'PLAIN' || !accepts(ctx, 'AUTH=PLAIN'))
      return tagged(ctx, cmd.tag, 'NO', 'Unsupported authentication mechanism.');
    // The initial response's credentials are the command's evidence, recorded already.
    if (initial !== undefined) return saslResponse(ctx, cmd.tag, initial === '=' ? '' : initial, true);
    ctx.state.saslTag = cmd.tag;
    return continuation(ctx, '');
  },
};

export const LOGIN_COMMANDS: readonly CommandDef[] = [LOGIN, AUTHENTICATE];
