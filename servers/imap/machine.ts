/**
 * The IMAP server as a pure state machine (servers/shared/line-session.ts
 * runs it over a socket): lines in, responses and events out. Lines are
 * gathered into commands with their literals (parse.ts); commands come from
 * the registry; faults are looked up by kind and recorded when carried out.
 */
import { preview } from '../shared/events.js';
import type { LineMachine, MachineOutput, RecordedEvent } from '../shared/line-session.js';
import { capabilityList, listFaults, loggedInList } from './capability-list.js';
import { saslResponse } from './commands/login.js';
import type { Command, CommandDef } from './commands/types.js';
import { findFault } from '../shared/fault-kit.js';
import type { ImapFaultKind } from './faults.js';
import type { ImapOptions } from './options.js';
import { argumentTokens, headOf, type Assembled } from './parse.js';
import { accepts } from './policy.js';
import { COMMANDS } from './registry.js';
import { redactImapLine } from './redact.js';
import {
  continuation,
  faultEvent,
  initialState,
  prepend,
  stall,
  stallAt,
  tagged,
  untaggedStatus,
  type ImapContext,
} from './session.js';

/** Longest line read. RFC 9051 §4 has a server accept lines of at least 8000 octets; literals carry anything longer. */
export const MAX_LINE = 8192;
/** Commands per connection before the server gives up on the client. */
export const MAX_COMMANDS = 1000;
/** Unknown or malformed commands before the server hangs up (Dovecot does the same). */
export const MAX_BAD_COMMANDS = 10;

/** The machine, and what the script engine asks of it: a command's verb and tag, which the line's first word is not. */
export type ImapMachine = LineMachine & {
  commandOf(line: string): { verb: string; args: string; tag: string } | undefined;
};

export function createImapMachine(options: ImapOptions, messages: Buffer[]): ImapMachine {
  const implicit = options.tls === 'implicit';
  const ctx: ImapContext = {
    options,
    state: initialState(implicit),
    messages,
    fault: <K extends ImapFaultKind>(kind: K) => findFault(options.faults, kind),
  };
  return {
    start: () => greet(ctx),
    line(line) {
      const { state } = ctx;
      if (state.stalled || state.closed) return {};
      if (state.saslTag !== undefined) return saslResponse(ctx, state.saslTag, line);
      if (state.falseGoAhead) return afterFalseGoAhead(ctx, line);
      return feed(ctx, line);
    },
    upgraded() {
      // RFC 9051 §6.2.1: still not authenticated; nothing of a half-read command carries over.
      Object.assign(ctx.state, { layer: 'tls', tlsDone: true, saslTag: undefined });
      ctx.state.assembler.reset();
      // Nothing is written: the client speaks first (its CAPABILITY), whatever was injected before.
      return {};
    },
    // RFC 9051 §7.1.3's example answers an over-long line "* BAD Command line too long"; the shell then closes.
    lineTooLong: () => untaggedStatus(ctx, 'BAD', 'Command line too long.'),
    // A literal's octets and a SASL response are no commands.
    expectsCommand: () => ctx.state.saslTag === undefined && !ctx.state.assembler.inLiteral,
    // A script's `logged-in`: the authenticated state, as after a successful LOGIN (RFC 9051 §3.2).
    setState: (state) => void (state === 'logged-in' && (ctx.state.state = 'authenticated')),
    commandOf(line) {
      const head = headOf(line);
      return head && { verb: head.verb, args: head.rest, tag: head.tag };
    },
  };
}

/** RFC 9051 §7.1: one of three greetings, OK, PREAUTH or BYE, or a fault in its place. */
function greet(ctx: ImapContext): MachineOutput {
  const stalling = stallAt(ctx, 'greeting');
  if (stalling) return stall(ctx, stalling);
  const bye = ctx.fault('greeting-bye');
  if (bye) {
    ctx.state.closed = true;
    return prepend([faultEvent(bye)], untaggedStatus(ctx, 'BYE', bye.text, { close: true }));
  }
  const preauth = ctx.fault('preauth');
  if (preauth || ctx.options.preauth) {
    ctx.state.state = 'authenticated';
    const code = ctx.options.greetingCapabilities ? `[CAPABILITY ${loggedInList(ctx).join(' ')}] ` : '';
    return prepend(
      preauth ? [faultEvent(preauth)] : [],
      untaggedStatus(ctx, 'PREAUTH', `${code}Logged in as ${ctx.options.credentials.user}.`),
    );
  }
  const names = capabilityList(ctx, 'greeting');
  const code = ctx.options.greetingCapabilities ? `[CAPABILITY ${names.join(' ')}] ` : '';
  const out = prepend(
    ctx.options.greetingCapabilities ? listFaults(ctx, names, 'greeting') : [],
    untaggedStatus(ctx, 'OK', `${code}Conform IMAP server ready.`),
  );
  const early = ctx.fault('untagged-before-tls');
  if (!early) return out;
  return {
    ...out,
    write: `${String(out.write)}${early.lines.map((l) => `${l}\r\n`).join('')}`,
    record: [...out.record!, faultEvent(early)],
  };
}

/** A line into the command being gathered: a literal's announcement answered, a whole command dispatched. */
function feed(ctx: ImapContext, line: string): MachineOutput {
  const fed = ctx.state.assembler.feed(line);
  switch (fed.kind) {
    case 'in-literal':
      return {};
    // RFC 9051 §7.5: a synchronizing literal waits for "+"; LITERAL+'s does not (RFC 7888 §3).
    case 'literal':
      return fed.sync ? continuation(ctx, 'Ready for literal data') : {};
    case 'too-large':
      // A synchronizing literal is refused before it is sent; a non-synchronizing one is already on its way (RFC 7888 §4).
      if (fed.sync) return tagged(ctx, fed.tag, 'NO', '[TOOBIG] Literal too large.');
      ctx.state.closed = true;
      return untaggedStatus(ctx, 'BYE', '[TOOBIG] Literal too large.', { close: true });
    case 'complete':
      return dispatch(ctx, fed.command);
  }
}

/** The recorded form of a command: printable, bounded, and with any secret redacted. */
function commandEvent(ctx: ImapContext, cmd: Command, def: CommandDef | undefined): RecordedEvent {
  const printable = (s: string, max: number): string => preview(Buffer.from(s, 'latin1'), max);
  const args = def?.redact ? printable(def.redact(cmd), 96) : printable(cmd.argText, 200);
  return {
    type: 'command',
    fields: {
      layer: ctx.state.layer,
      verb: printable(cmd.verb, 32),
      args,
      raw: `${printable(cmd.tag, 32)} ${printable(cmd.verb, 32)}${args ? ` ${args}` : ''}`,
      tag: printable(cmd.tag, 32),
    },
  };
}

/** One more malformed or unknown command; too many and the server hangs up. */
function bad(ctx: ImapContext, tag: string, text: string): MachineOutput {
  if (++ctx.state.badCommands >= MAX_BAD_COMMANDS) {
    ctx.state.closed = true;
    return untaggedStatus(ctx, 'BYE', 'Too many invalid IMAP commands.', { close: true });
  }
  return tag === '*' ? untaggedStatus(ctx, 'BAD', text) : tagged(ctx, tag, 'BAD', text);
}

function dispatch(ctx: ImapContext, assembled: Assembled): MachineOutput {
  const first = assembled.texts[0]!;
  const head = headOf(first);
  if (!head) {
    // No tag or no verb (RFC 9051 §7.1.3: "the associated command can not be determined"): recorded, answered untagged.
    const seen: RecordedEvent = {
      type: 'command',
      fields: {
        layer: ctx.state.layer,
        verb: '',
        args: '',
        raw: preview(Buffer.from(redactImapLine(first), 'latin1'), 200),
      },
    };
    return prepend([seen], bad(ctx, '*', first ? 'Error in IMAP command received by server.' : 'Empty command line.'));
  }
  const cmd: Command = {
    ...head,
    assembled,
    tokens: argumentTokens(assembled, head),
    argText: [head.rest, ...assembled.texts.slice(1)].join(''),
  };
  const def = COMMANDS.get(cmd.verb);
  const events = [commandEvent(ctx, cmd, def), ...(def?.evidence?.(ctx, cmd) ?? [])];
  if (++ctx.state.commands > MAX_COMMANDS) {
    ctx.state.closed = true;
    return prepend(events, untaggedStatus(ctx, 'BYE', 'Too many commands.', { close: true }));
  }
  return prepend(events, answer(ctx, def, cmd));
}

/** The checks before a handler runs (smtp-server's "ordered chain"), then the handler. */
function answer(ctx: ImapContext, def: CommandDef | undefined, cmd: Command): MachineOutput {
  const { state } = ctx;
  if (!def) return bad(ctx, cmd.tag, 'Unknown command.');
  const stalling = stallAt(ctx, 'after-tls');
  if (stalling && state.layer === 'tls' && ctx.options.tls !== 'implicit') return stall(ctx, stalling);
  if (!def.states.includes(state.state))
    return tagged(ctx, cmd.tag, 'BAD', `Error in IMAP command ${cmd.verb}: Command not valid in this state.`);
  if (def.capability && !accepts(ctx, def.capability)) return bad(ctx, cmd.tag, 'Unknown command.');
  return def.handle(ctx, cmd);
}

/**
 * After a false OK to STARTTLS the client's ClientHello arrives as bytes that
 * are not text. Whatever tagged command follows it on the same line or the
 * next ones is plaintext sent by a client that believes it is inside TLS
 * (curl 7.78's SMTP bug): recorded as such, then served in plaintext. The
 * hello's TLS record header gives its length, so the command is found where
 * the record ends, its tag whole (a tag cannot be told from the hello's last
 * printable bytes otherwise).
 */
function afterFalseGoAhead(ctx: ImapContext, line: string): MachineOutput {
  const { state } = ctx;
  if (!state.helloSeen && /^\x16\x03[\x00-\x04]/.test(line) && line.length >= 5) {
    state.helloSeen = true;
    state.helloLeft = 5 + ((line.charCodeAt(3) << 8) | line.charCodeAt(4));
  }
  if (!state.helloSeen) return feed(ctx, line);
  let text = line;
  if (state.helloLeft > 0) {
    // The line reader ate the LF (and a CR before it) that ended this stretch of the record.
    if (line.length < state.helloLeft) {
      state.helloLeft = Math.max(0, state.helloLeft - line.length - 1);
      return {};
    }
    text = line.slice(state.helloLeft);
    state.helloLeft = 0;
  }
  // Where the record's length was off by a CR, the command still starts at the first tagged known verb.
  const at = text.search(TAGGED_VERB);
  if (at < 0) return {};
  const seen: RecordedEvent = {
    type: 'plaintext-after-hello',
    fields: { preview: preview(Buffer.from(redactImapLine(text.slice(at)), 'latin1')) },
  };
  return prepend([seen], dispatch(ctx, { texts: [text.slice(at)], literals: [] }));
}

/** A tag, a space and a registry verb (followed by a space or the end). */
const TAGGED_VERB = new RegExp(
  `[^\\s(){%*"\\\\+\\x00-\\x1f\\x7f-\\xff]+ (?:${[...COMMANDS.keys()].join('|')})(?= |$)`,
  'i',
);
