/** AUTH, PBSZ, PROT, CCC: RFC 2228 as profiled for TLS by RFC 4217. */
import { faultEvent, prepend, reply, stall, stallAt, tlsEnabled } from '../session.js';
import type { CommandDef } from './types.js';

const AUTH: CommandDef = {
  verb: 'AUTH',
  feat: 'AUTH TLS',
  beforeLogin: true,
  handle(ctx, args) {
    const mech = args.toUpperCase();
    if (!tlsEnabled(ctx) || ctx.state.tlsDone) return reply(ctx, '503', ctx.state.tlsDone ? 'Already using TLS.' : 'AUTH not supported.');
    // RFC 4217 §4: TLS; "SSL" and "TLS-C" are the older names curl and others still try.
    if (!['TLS', 'SSL', 'TLS-C'].includes(mech)) return reply(ctx, '504', 'Unknown AUTH type.');
    const refused = ctx.fault('auth-refused');
    if (refused) return prepend([faultEvent(refused)], reply(ctx, refused.code, 'AUTH TLS not available.'));
    const stalling = stallAt(ctx, 'auth');
    if (stalling) return stall(ctx, stalling);
    const inject = ctx.fault('inject-after-auth');
    const handshakeStall = stallAt(ctx, 'handshake');
    const out = reply(ctx, '234', `Proceed with negotiation.`, {
      upgrade: inject ? { inject: inject.bytes } : {},
      ...(handshakeStall ? { stall: true } : {}),
    });
    return prepend([...(inject ? [faultEvent(inject)] : []), ...(handshakeStall ? [faultEvent(handshakeStall)] : [])], out);
  },
};

const PBSZ: CommandDef = {
  verb: 'PBSZ',
  feat: 'PBSZ',
  beforeLogin: true,
  handle(ctx) {
    if (!ctx.state.tlsDone) return reply(ctx, '503', 'PBSZ needs a secure connection first.');
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

const CCC: CommandDef = {
  verb: 'CCC',
  handle(ctx) {
    // vsftpd does not implement CCC: the control channel stays protected.
    return reply(ctx, '533', 'CCC refused: the control connection stays protected.');
  },
};

export const SECURITY_COMMANDS: readonly CommandDef[] = [AUTH, PBSZ, PROT, CCC];
