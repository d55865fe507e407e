/** CAPA, STLS, NOOP, QUIT: the commands about the session itself. */
import type { MachineOutput } from '../../shared/line-session.js';
import type { Pop3Fault } from '../faults.js';
import type { Pop3Context } from '../session.js';
import { err, faultEvent, multiline, ok, prepend, stall, stallAt } from '../session.js';
import { stlsAccepted } from '../policy.js';
import type { CommandDef } from './types.js';

const CAPA: CommandDef = {
  verb: 'CAPA',
  phases: ['authorization', 'transaction'],
  handle(ctx) {
    const { state } = ctx;
    const first = state.capaSeen[state.layer]++ === 0;
    const stage = state.layer === 'plaintext' ? 'before-tls' : 'after-tls';
    const stalling = stallAt(ctx, 'capa');
    if (stalling && first && stage === 'before-tls') return stall(ctx, stalling);
    const refuse = ctx.fault('capa-error');
    if (refuse && (refuse.stage === stage || refuse.stage === 'both'))
      return prepend([faultEvent(refuse)], err(ctx, 'Unknown command.'));
    const lines = ctx.capabilityLines();
    const body = Buffer.from(`${lines.join('\r\n')}\r\n.\r\n`);
    const cut = ctx.fault('close-mid-capa');
    if (cut && (cut.stage === stage || cut.stage === 'both')) {
      // Half the list, ending on a line boundary, and no "." line: the reply is incomplete.
      const partial = Buffer.from(`${lines.slice(0, Math.max(1, lines.length >> 1)).join('\r\n')}\r\n`);
      return multiline(ctx, 'Capability list follows', partial, { close: true, record: [faultEvent(cut)] });
    }
    return multiline(ctx, 'Capability list follows', body, { record: capabilityFaults(ctx) });
  },
};

/** Faults that shape the capability list are carried out when the client reads it. */
function capabilityFaults(ctx: Pop3Context): MachineOutput['record'] & object {
  const shaping = ctx.state.tlsDone ? ctx.fault('stls-readvertised') : ctx.fault('stls-not-advertised');
  return shaping ? [faultEvent(shaping)] : [];
}

/** RFC 2595 §4: STLS, in the AUTHORIZATION state only, then TLS; the state stays AUTHORIZATION. */
const STLS: CommandDef = {
  verb: 'STLS',
  capability: { keyword: 'STLS', line: 'STLS' },
  phases: ['authorization'],
  handle(ctx) {
    if (ctx.state.tlsDone) return err(ctx, '[IN-USE] TLS is already active.');
    const hidden = ctx.fault('stls-not-advertised');
    if (!stlsAccepted(ctx)) return prepend(hidden ? [faultEvent(hidden)] : [], err(ctx, 'Unknown command.'));
    const refused = ctx.fault('stls-refused');
    if (refused) return prepend([faultEvent(refused)], refusal(ctx, refused));
    const stalling = stallAt(ctx, 'stls');
    if (stalling) return stall(ctx, stalling);
    return goAhead(ctx, hidden ? [faultEvent(hidden)] : []);
  },
};

/**
 * The -ERR to STLS, with any replies pipelined behind it in the same write: only
 * a client that reads ahead of its own commands takes them (curl's fix for
 * CVE-2021-22947 rejects them, its test 982).
 */
function refusal(ctx: Pop3Context, fault: Extract<Pop3Fault, { kind: 'stls-refused' }>): MachineOutput {
  const out = err(ctx, fault.text);
  return fault.inject ? { ...out, write: `${String(out.write)}${fault.inject}` } : out;
}

const GO_AHEAD = 'Begin TLS negotiation now.';

/** The "+OK Begin TLS" reply, and whatever the faults make of the handshake after it. */
function goAhead(ctx: Pop3Context, events: MachineOutput['record'] & object): MachineOutput {
  const noTls = ctx.fault('no-tls-after-go-ahead');
  if (noTls) {
    ctx.state.falseGoAhead = true;
    return prepend([...events, faultEvent(noTls)], ok(ctx, GO_AHEAD));
  }
  const stalling = stallAt(ctx, 'handshake');
  if (stalling) return prepend(events, ok(ctx, GO_AHEAD, stall(ctx, stalling)));
  const inject = ctx.fault('inject-after-stls');
  const failing = ctx.fault('handshake-failure');
  const extra = [...(inject ? [faultEvent(inject)] : []), ...(failing ? [faultEvent(failing)] : [])];
  return prepend([...events, ...extra], ok(ctx, GO_AHEAD, { upgrade: inject ? { inject: inject.bytes } : {} }));
}

const NOOP: CommandDef = { verb: 'NOOP', phases: ['transaction'], handle: (ctx) => ok(ctx, 'NOOP') };

/** RFC 1939 §6: QUIT in TRANSACTION enters UPDATE and removes the deleted messages. */
const QUIT: CommandDef = {
  verb: 'QUIT',
  phases: ['authorization', 'transaction'],
  handle: (ctx) =>
    ok(ctx, ctx.state.phase === 'transaction' ? 'Logging out, messages deleted.' : 'Logging out.', { close: true }),
};

export const SESSION_COMMANDS: readonly CommandDef[] = [CAPA, STLS, NOOP, QUIT];
