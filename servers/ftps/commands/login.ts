/**
 * USER and PASS (RFC 959 §4.1.1), refused before TLS with `explicit-required`;
 * anonymous FTP (RFC 1635) when the case enables it; and, after the
 * `auth-refused` fault, a man in the middle's lure of the login in clear.
 */
import type { RecordedEvent } from '../../shared/line-session.js';
import type { FtpsContext } from '../session.js';
import { reply, stall, stallAt } from '../session.js';
import type { CommandDef } from './types.js';

/** RFC 1635's guest account names. */
const ANONYMOUS = new Set(['anonymous', 'ftp']);

function anonymous(user: string | undefined): boolean {
  return user !== undefined && ANONYMOUS.has(user.toLowerCase());
}

/**
 * AUTH was refused by the fault and the client stayed in clear: a man in the
 * middle that stripped TLS answers as a willing server would, whatever the
 * account, to get the password and then the commands.
 */
function lured(ctx: FtpsContext): boolean {
  return ctx.state.lured === true && !ctx.state.tlsDone;
}

/** vsftpd's force_local_logins_ssl: no login before TLS, anonymous ones excepted. */
function loginRefused(ctx: FtpsContext, user: string | undefined): boolean {
  return (
    ctx.options.tls === 'explicit-required' &&
    !ctx.state.tlsDone &&
    !lured(ctx) &&
    !(ctx.options.anonymous && anonymous(user))
  );
}

function credentials(ctx: FtpsContext): RecordedEvent[] {
  // RFC 1635: an anonymous login "accepts any string as a password", by custom an e-mail address: no secret.
  if (anonymous(ctx.state.user)) return [];
  return [
    {
      type: 'credentials',
      fields: { layer: ctx.state.layer, mechanism: 'USER/PASS', user: (ctx.state.user ?? '').slice(0, 128) },
    },
  ];
}

const USER: CommandDef = {
  verb: 'USER',
  beforeLogin: true,
  handle(ctx, args) {
    const stalling = stallAt(ctx, 'login');
    if (stalling) return stall(ctx, stalling);
    if (loginRefused(ctx, args)) return reply(ctx, '530', 'Non-anonymous sessions must use encryption.');
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
  evidence: (ctx) => credentials(ctx),
  handle(ctx, args) {
    const user = ctx.state.user;
    if (loginRefused(ctx, user)) return reply(ctx, '530', 'Non-anonymous sessions must use encryption.');
    if (user === undefined) return reply(ctx, '503', 'Login with USER first.');
    const want = ctx.options.credentials;
    const ok = lured(ctx) || (ctx.options.anonymous && anonymous(user)) || (user === want.user && args === want.pass);
    if (!ok) return reply(ctx, '530', 'Login incorrect.');
    ctx.state.loggedIn = true;
    return reply(ctx, '230', 'Login successful.');
  },
};

export const LOGIN_COMMANDS: readonly CommandDef[] = [USER, PASS];
