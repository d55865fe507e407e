/** CAPABILITY, NOOP, LOGOUT (any state), STARTTLS, ID, ENABLE: the commands about the session itself. */
import type { MachineOutput, RecordedEvent } from '../../shared/line-session.js';
import { capabilityList, listFaults } from '../capability-list.js';
import type { ImapFault } from '../faults.js';
import { starttlsAccepted } from '../policy.js';
import type { ImapContext } from '../session.js';
import { faultEvent, prepend, stall, stallAt, tagged } from '../session.js';
import type { Command, CommandDef } from './types.js';
import { foreignTag } from './foreign-tag.js';

const ANY = ['not-authenticated', 'authenticated', 'selected'] as const;

/** RFC 9051 §6.1.1: the untagged CAPABILITY, then the tagged OK. */
const CAPABILITY: CommandDef = {
  verb: 'CAPABILITY',
  states: ANY,
  handle(ctx, cmd) {
    const { state } = ctx;
    const first = state.capabilitySeen[state.layer]++ === 0;
    const stalling = stallAt(ctx, 'capability');
    if (stalling && first && state.layer === 'plaintext') return stall(ctx, stalling);
    const names = capabilityList(ctx, 'capability');
    const out = prepend(
      listFaults(ctx, names, 'capability'),
      tagged(ctx, cmd.tag, 'OK', 'Pre-login capabilities listed, post-login capabilities have more.', {
        data: [`* CAPABILITY ${names.join(' ')}`],
      }),
    );
    return foreignTag(ctx, 'capability', out);
  },
};

/**
 * RFC 9051 §6.2.1: STARTTLS in the not authenticated state on a cleartext
 * port; "The server MUST always respond with a tagged BAD response when the
 * STARTTLS command is received on an Implicit TLS port."
 */
const STARTTLS: CommandDef = {
  verb: 'STARTTLS',
  states: ANY,
  handle(ctx, cmd) {
    if (ctx.state.tlsDone) return tagged(ctx, cmd.tag, 'BAD', 'TLS is already active.');
    if (ctx.state.state !== 'not-authenticated')
      return tagged(ctx, cmd.tag, 'BAD', 'STARTTLS is valid only before authentication.');
    const stripped = ctx.fault('starttls-stripped');
    if (!starttlsAccepted(ctx))
      return prepend(stripped ? [faultEvent(stripped)] : [], tagged(ctx, cmd.tag, 'BAD', 'Unknown command.'));
    const refused = ctx.fault('starttls-refused');
    if (refused) return prepend([faultEvent(refused)], refusal(ctx, cmd, refused));
    const stalling = stallAt(ctx, 'starttls');
    if (stalling) return stall(ctx, stalling);
    const shaping = [stripped, ctx.fault('starttls-hidden')].flatMap((f) => (f ? [faultEvent(f)] : []));
    return goAhead(ctx, cmd, shaping);
  },
};

/**
 * The refusal of STARTTLS, with any responses pipelined behind it in the same
 * write: only a client that reads ahead of its own commands takes them.
 */
function refusal(
  ctx: ImapContext,
  cmd: Command,
  fault: Extract<ImapFault, { kind: 'starttls-refused' }>,
): MachineOutput {
  const out = tagged(ctx, cmd.tag, fault.status, fault.text);
  return fault.inject
    ? { ...out, write: Buffer.concat([Buffer.from(out.write as Buffer), Buffer.from(fault.inject, 'latin1')]) }
    : out;
}

const GO_AHEAD = 'Begin TLS negotiation now.';

/** The tagged OK to STARTTLS, and whatever the faults make of it and of the handshake after it. */
function goAhead(ctx: ImapContext, cmd: Command, events: RecordedEvent[]): MachineOutput {
  const withCaps = ctx.fault('capability-in-starttls-ok');
  const code = withCaps?.form === 'code' ? `[CAPABILITY ${withCaps.capabilities}] ` : '';
  const data = withCaps?.form === 'untagged' ? [`* CAPABILITY ${withCaps.capabilities}`] : [];
  const shaped = [...events, ...(withCaps ? [faultEvent(withCaps)] : [])];
  const ok = (extra: Partial<MachineOutput>): MachineOutput =>
    prepend(shaped, tagged(ctx, cmd.tag, 'OK', `${code}${GO_AHEAD}`, { data, extra }));
  const noTls = ctx.fault('no-tls-after-go-ahead');
  if (noTls) {
    ctx.state.falseGoAhead = true;
    return prepend([faultEvent(noTls)], ok({}));
  }
  const stalling = stallAt(ctx, 'handshake');
  if (stalling) {
    ctx.state.stalled = true;
    return ok({ stall: true, record: [faultEvent(stalling)] });
  }
  const inject = ctx.fault('inject-after-starttls');
  const failing = ctx.fault('handshake-failure');
  const extra = [...(inject ? [faultEvent(inject)] : []), ...(failing ? [faultEvent(failing)] : [])];
  return prepend(extra, ok({ upgrade: inject ? { inject: inject.bytes } : {} }));
}

const NOOP: CommandDef = {
  verb: 'NOOP',
  states: ANY,
  handle: (ctx, cmd) => tagged(ctx, cmd.tag, 'OK', 'NOOP completed.'),
};

/** RFC 9051 §6.1.3: "The server MUST send a BYE untagged response before the (tagged) OK response, and then close the network connection." */
const LOGOUT: CommandDef = {
  verb: 'LOGOUT',
  states: ANY,
  handle(ctx, cmd) {
    ctx.state.closed = true;
    return tagged(ctx, cmd.tag, 'OK', 'Logout completed.', { data: ['* BYE Logging out'], extra: { close: true } });
  },
};

/** RFC 2971: the server tells nothing of itself. */
const ID: CommandDef = {
  verb: 'ID',
  capability: 'ID',
  states: ANY,
  handle: (ctx, cmd) => tagged(ctx, cmd.tag, 'OK', 'ID completed.', { data: ['* ID NIL'] }),
};

/** RFC 5161 / RFC 9051 §6.3.1: only IMAP4rev2 can be enabled, when advertised. */
const ENABLE: CommandDef = {
  verb: 'ENABLE',
  capability: 'ENABLE',
  states: ['authenticated'],
  handle(ctx, cmd) {
    const asked = (cmd.tokens ?? []).map((t) => t.value.toUpperCase());
    const enabled =
      asked.includes('IMAP4REV2') && capabilityList(ctx, 'capability').includes('IMAP4rev2') ? ' IMAP4rev2' : '';
    if (enabled) ctx.state.rev2 = true;
    return tagged(ctx, cmd.tag, 'OK', 'Enabled.', { data: [`* ENABLED${enabled}`] });
  },
};

export const SESSION_COMMANDS: readonly CommandDef[] = [CAPABILITY, STARTTLS, NOOP, LOGOUT, ID, ENABLE];
