/**
 * The POP3 server as a pure state machine (servers/shared/line-session.ts
 * runs it over a socket): lines in, replies and events out. Commands come
 * from the registry; faults are looked up by kind and recorded when carried out.
 */
import { preview } from '../shared/events.js';
import { findFault } from '../shared/fault-kit.js';
import { redactCommandLine } from '../shared/redact.js';
import type { LineMachine, MachineOutput, RecordedEvent } from '../shared/line-session.js';
import type { Pop3Options } from './options.js';
import { saslResponse } from './commands/login.js';
import type { CommandDef } from './commands/types.js';
import { accepts, loginAllowed } from './policy.js';
import { capabilityLines, COMMANDS } from './registry.js';
import { err, faultEvent, initialState, ok, prepend, stall, stallAt, type Pop3Context } from './session.js';

/** Longest line read. RFC 2449 §4 caps commands at 255 octets; SASL responses run longer (RFC 5034 §4). */
export const MAX_LINE = 2048;
/** Commands per connection before the server gives up on the client. */
export const MAX_COMMANDS = 1000;
/** Unknown commands before the server hangs up (Dovecot does the same). */
export const MAX_BAD_COMMANDS = 10;

export function createPop3Machine(options: Pop3Options, messages: Buffer[]): LineMachine {
  const implicit = options.tls === 'implicit';
  const ctx: Pop3Context = {
    options,
    state: initialState(implicit),
    messages,
    fault: (kind) => findFault(options.faults, kind),
    capabilityLines: () => capabilityLines(ctx),
  };
  return {
    start: () => greet(ctx),
    line(line) {
      if (ctx.state.stalled) return {};
      if (ctx.state.saslPending) return saslResponse(ctx, line);
      if (ctx.state.falseGoAhead) return afterFalseGoAhead(ctx, line);
      return dispatch(ctx, line);
    },
    upgraded() {
      // RFC 2595 §4: the state stays AUTHORIZATION; nothing from before TLS carries over.
      Object.assign(ctx.state, { layer: 'tls', tlsDone: true, user: undefined, saslPending: false });
      // Nothing is written: the client speaks first (its CAPA), whatever was injected before.
      return {};
    },
    lineTooLong: () => err(ctx, 'Line too long.'),
    // A SASL response is no command.
    expectsCommand: () => !ctx.state.saslPending,
    // A script's `logged-in`: the TRANSACTION state, as after a successful PASS (RFC 1939 §4).
    setState: (state) => void (state === 'logged-in' && (ctx.state.phase = 'transaction')),
  };
}

/** RFC 1939 §4: the greeting, or a fault in its place. */
function greet(ctx: Pop3Context): MachineOutput {
  const stalling = stallAt(ctx, 'greeting');
  if (stalling) return stall(ctx, stalling);
  const refuse = ctx.fault('greeting-error');
  if (refuse) return prepend([faultEvent(refuse)], err(ctx, refuse.text, { close: true }));
  return ok(ctx, 'Conform POP3 server ready.');
}

/** The recorded form of a command: printable, bounded, and with any secret redacted. */
function commandEvent(
  ctx: Pop3Context,
  verb: string,
  args: string,
  line: string,
  def: CommandDef | undefined,
): RecordedEvent {
  const printable = (s: string, max: number): string => preview(Buffer.from(s, 'latin1'), max);
  const shown = def?.redact ? printable(def.redact(args), 64) : printable(args, 200);
  return {
    type: 'command',
    fields: {
      layer: ctx.state.layer,
      verb: printable(verb, 16),
      args: shown,
      raw: def?.redact ? `${verb}${shown ? ` ${shown}` : ''}` : printable(line, 200),
    },
  };
}

function dispatch(ctx: Pop3Context, line: string): MachineOutput {
  const { state } = ctx;
  const space = line.indexOf(' ');
  // ASCII only: toUpperCase() would turn a hostile byte such as 0xff into another character.
  const verb = (space < 0 ? line : line.slice(0, space)).replace(/[a-z]/g, (c) => c.toUpperCase());
  const args = space < 0 ? '' : line.slice(space + 1);
  const def = COMMANDS.get(verb);
  const events = [commandEvent(ctx, verb, args, line, def), ...(def?.evidence?.(ctx, args) ?? [])];
  if (++state.commands > MAX_COMMANDS) return prepend(events, err(ctx, 'Too many commands.', { close: true }));
  return prepend(events, answer(ctx, def, args));
}

/** The checks before a handler runs (smtp-server's "ordered chain"), then the handler. */
function answer(ctx: Pop3Context, def: CommandDef | undefined, args: string): MachineOutput {
  const { state } = ctx;
  if (!def) {
    const tooMany = ++state.badCommands >= MAX_BAD_COMMANDS;
    return err(ctx, tooMany ? 'Too many bad commands.' : 'Unknown command.', tooMany ? { close: true } : {});
  }
  const stalling = stallAt(ctx, 'after-tls');
  if (stalling && state.layer === 'tls') return stall(ctx, stalling);
  if (!def.phases.includes(state.phase)) return err(ctx, 'Unknown command.');
  if (def.login && !loginAllowed(ctx))
    return err(ctx, '[AUTH] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.');
  if (def.capability && !accepts(ctx, def.capability.keyword)) return err(ctx, 'Unknown command.');
  return def.handle(ctx, args);
}

/**
 * After a false "+OK Begin TLS" the client's ClientHello arrives as bytes that
 * are not text. Whatever plain command follows it on the same line or the next
 * ones is plaintext sent by a client that believes it is inside TLS (curl
 * 7.78's SMTP bug): recorded as such, then served in plaintext.
 */
function afterFalseGoAhead(ctx: Pop3Context, line: string): MachineOutput {
  let binaryEnd = -1;
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if ((c < 0x20 && c !== 0x09) || c > 0x7e) binaryEnd = i;
  }
  if (binaryEnd < 0 && !ctx.state.helloSeen) return dispatch(ctx, line);
  if (binaryEnd >= 0) ctx.state.helloSeen = true;
  // The hello's last random bytes may be printable: the command starts at the first known verb.
  // A wholly printable line can still be a stretch of the hello between two of its 0x0a
  // bytes, so it counts only when a command verb opens it.
  const text = line.slice(binaryEnd + 1);
  const at = verbStart(text);
  if (at < 0 || (binaryEnd < 0 && at > 0)) return {};
  const seen: RecordedEvent = {
    type: 'plaintext-after-hello',
    fields: { preview: preview(Buffer.from(redactCommandLine(text.slice(at)), 'latin1')) },
  };
  return prepend([seen], dispatch(ctx, text.slice(at)));
}

/** Where a registry verb (followed by a space or the end) starts in `text`, or -1. */
function verbStart(text: string): number {
  const upper = text.toUpperCase();
  for (let i = 0; i < upper.length; i++) {
    for (const verb of COMMANDS.keys()) {
      if (upper.startsWith(verb, i) && (upper.length === i + verb.length || upper[i + verb.length] === ' ')) return i;
    }
  }
  return -1;
}
