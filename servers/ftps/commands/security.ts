/** AUTH, PBSZ, PROT, CCC: RFC 2228 as profiled for TLS by RFC 4217. */
import { cccAccepted } from '../options.js';
import {
  faultEvent,
  prepend,
  reply,
  stall,
  stallAt,
  tlsEnabled,
  type FtpOutput,
  type FtpsContext,
} from '../session.js';
import type { CommandDef } from './types.js';

const REFUSALS = {
  '500': 'Unknown command.',
  '502': 'AUTH not implemented.',
  '504': 'AUTH TLS not available.',
  '534': 'AUTH TLS not available.',
} as const;

/**
 * The `auth-refused` fault: the refusal, any injected bytes behind the first
 * one (in the same write), and from now on the lure of the login in clear.
 */
function refuseAuth(ctx: FtpsContext): FtpOutput | undefined {
  const refused = ctx.fault('auth-refused');
  if (!refused) return undefined;
  ctx.state.lured = true;
  const out = prepend([faultEvent(refused)], reply(ctx, refused.code, REFUSALS[refused.code]));
  if (!refused.inject || ctx.state.injected) return out;
  ctx.state.injected = true;
  // Nothing here invited TLS: a ClientHello after these bytes means the client acted on them.
  return { ...out, write: `${String(out.write)}${refused.inject}`, watchHello: true };
}

const AUTH: CommandDef = {
  verb: 'AUTH',
  feat: 'AUTH TLS',
  beforeLogin: true,
  handle(ctx, args) {
    const mech = args.toUpperCase();
    if (!tlsEnabled(ctx) || ctx.state.tlsDone)
      return reply(ctx, '503', ctx.state.tlsDone ? 'Already using TLS.' : 'AUTH not supported.');
    // RFC 4217 §4: TLS; "SSL" and "TLS-C" are the older names curl and others still try.
    if (!['TLS', 'SSL', 'TLS-C'].includes(mech)) return reply(ctx, '504', 'Unknown AUTH type.');
    const refused = refuseAuth(ctx);
    if (refused) return refused;
    const stalling = stallAt(ctx, 'auth');
    if (stalling) return stall(ctx, stalling);
    const inject = ctx.fault('inject-after-auth');
    const handshakeStall = stallAt(ctx, 'handshake');
    const out = reply(ctx, '234', `Proceed with negotiation.`, {
      upgrade: inject ? { inject: inject.bytes } : {},
      ...(handshakeStall ? { stall: true } : {}),
    });
    return prepend(
      [...(inject ? [faultEvent(inject)] : []), ...(handshakeStall ? [faultEvent(handshakeStall)] : [])],
      out,
    );
  },
};

const PBSZ: CommandDef = {
  verb: 'PBSZ',
  feat: 'PBSZ',
  beforeLogin: true,
  handle(ctx) {
    if (!ctx.state.tlsDone) return reply(ctx, '503', 'PBSZ needs a secure connection first.');
    if (ctx.state.cleared) return afterCcc(ctx);
    ctx.state.pbsz = true;
    // RFC 4217 §9: TLS has no buffer size; the server answers PBSZ=0.
    return reply(ctx, '200', 'PBSZ=0');
  },
};

const PROT: CommandDef = {
  verb: 'PROT',
  feat: 'PROT',
  beforeLogin: true,
  handle(ctx, args) {
    const level = args.toUpperCase();
    if (!ctx.state.tlsDone) return reply(ctx, '503', 'PROT needs a secure connection first.');
    if (ctx.state.cleared) return afterCcc(ctx);
    // RFC 4217 §9: PBSZ must precede PROT.
    if (!ctx.state.pbsz) return reply(ctx, '503', 'PROT needs PBSZ first.');
    if (level === 'C') {
      ctx.state.prot = 'C';
      return reply(ctx, '200', 'PROT now Clear.');
    }
    if (level === 'P') {
      const refused = ctx.fault('prot-refused');
      if (refused) return prepend([faultEvent(refused)], reply(ctx, '536', 'PROT P not supported.'));
      ctx.state.prot = 'P';
      return reply(ctx, '200', 'PROT now Private.');
    }
    // RFC 2228: S and E are not offered by TLS (RFC 4217 §9).
    return reply(ctx, '504', 'PROT level not supported.');
  },
};

/** RFC 4217 §5: after CCC the server does "Not accept any more PBSZ or PROT commands"; data keeps the current PROT. */
function afterCcc(ctx: FtpsContext): FtpOutput {
  return reply(ctx, '534', 'PBSZ and PROT are refused after CCC: data connections keep their protection.');
}

/**
 * CCC (RFC 2228 §3, RFC 4217 §5): 500 where not accepted (vsftpd knows no
 * CCC), 533 on a control connection not protected by TLS, else 200 inside
 * TLS, then TLS shut down and plaintext on the same connection (the shell
 * does it and calls `cleared`). Accepted before login too: some servers are
 * that lax (RFC 4217 §15.3 leaves it to them), and a client must not rely on
 * a refusal to keep its password protected.
 */
const CCC: CommandDef = {
  verb: 'CCC',
  beforeLogin: true,
  handle(ctx) {
    if (!cccAccepted(ctx.options)) return reply(ctx, '500', 'Unknown command.');
    if (ctx.state.layer !== 'tls') return reply(ctx, '533', 'Command channel is not protected.');
    return reply(ctx, '200', 'CCC OK: the control connection goes on in clear.', { clear: true });
  },
};

export const SECURITY_COMMANDS: readonly CommandDef[] = [AUTH, PBSZ, PROT, CCC];
