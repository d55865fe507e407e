/** USER and PASS (RFC 959 §4.1.1), refused before TLS with `explicit-required`. */
import type { RecordedEvent } from '../../shared/line-session.js';
import type { FtpsContext } from '../session.js';
import { reply, stall, stallAt } from '../session.js';
import type { CommandDef } from './types.js';

/** vsftpd's force_local_logins_ssl: no login before TLS. */
function loginRefused(ctx: FtpsContext): boolean {
  return ctx.options.tls === 'explicit-required' && !ctx.state.tlsDone;
}

function credentials(ctx: FtpsContext): RecordedEvent {
  return { type: 'credentials', fields: { layer: ctx.state.layer, mechanism: 'USER/PASS', user: (ctx.state.user ?? '').slice(0, 128) } };
}

const USER: CommandDef = {
  verb: 'USER',
  beforeLogin: true,
  handle(ctx, args) {
    const stalling = stallAt(ctx, 'login');
    if (stalling) return stall(ctx, stalling);
    if (loginRefused(ctx)) return reply(ctx, '530', 'Non-anonymous sessions must use encryption.');
    if (!args) return reply(ctx, '501', 'Syntax error in parameters.');
    ctx.state.user = args;
    ctx.state.loggedIn = false;
    return reply(ctx, '331', 'Please specify the password.');
  },
};

const PASS: CommandDef = {
  verb: 'PASS',
  beforeLogin: true,
  redact: (args) => (args ? '<redacted>' : ''),
  // The password crossed the wire, whatever the server answers.
  evidence: (ctx) => [credentials(ctx)],
  handle(ctx, args) {
    if (loginRefused(ctx)) return reply(ctx, '530', 'Non-anonymous sessions must use encryption.');
    const user = ctx.state.user;
    if (user === undefined) return reply(ctx, '503', 'Login with USER first.');
    const want = ctx.options.credentials;
    if (user !== want.user || args !== want.pass) return reply(ctx, '530', 'Login incorrect.');
    ctx.state.loggedIn = true;
    return reply(ctx, '230', 'Login successful.');
  },
};

export const LOGIN_COMMANDS: readonly CommandDef[] = [USER, PASS];
