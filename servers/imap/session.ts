/**
 * What an IMAP command handler sees: the case's options, the connection's
 * state, and helpers that build responses together with the events that
 * record them. Pure: nothing here touches a socket.
 */
import type { Layer } from '../shared/events.js';
import type { MachineOutput, RecordedEvent } from '../shared/line-session.js';
import { faultKit } from '../shared/fault-kit.js';
import { explainImapFault, type ImapFault, type ImapFaultKind, type StallStep } from './faults.js';
import type { ImapOptions } from './options.js';
import { CommandAssembler } from './parse.js';

/** RFC 9051 §3: the connection's state. */
export type ImapStateName = 'not-authenticated' | 'authenticated' | 'selected';

/** Longest literal a command may carry (LOGIN's, AUTHENTICATE's); no APPEND here. */
export const MAX_LITERAL = 64 * 1024;
/** Longest command, its literals included. */
export const MAX_COMMAND = 128 * 1024;

export interface ImapState {
  layer: Layer;
  state: ImapStateName;
  /** The TLS upgrade (or the implicit handshake) happened. */
  tlsDone: boolean;
  /** AUTHENTICATE without an initial response: the next line is the SASL response, for this tag. */
  saslTag?: string;
  /** Lines gathered into commands, literals included. */
  assembler: CommandAssembler;
  /** ENABLE IMAP4rev2 was accepted: responses follow RFC 9051 instead of RFC 3501 (RFC 9051 §7.2.2). */
  rev2: boolean;
  /** The selected mailbox is read-only (EXAMINE). */
  readOnly: boolean;
  /** Messages whose \Seen flag a FETCH set (numbers from 1). */
  seen: Set<number>;
  /** CAPABILITY commands answered so far, per layer (a stall acts on the first before TLS). */
  capabilitySeen: Record<Layer, number>;
  commands: number;
  badCommands: number;
  /** no-tls-after-go-ahead: the client was told to start TLS, and the server never did. */
  falseGoAhead: boolean;
  /** A ClientHello (non-text bytes) arrived after the false go-ahead. */
  helloSeen: boolean;
  /** Octets of that ClientHello's TLS record still to come across lines (its header gives its length). */
  helloLeft: number;
  /** The server went silent. */
  stalled: boolean;
  /** The server said BYE: nothing more is read. */
  closed: boolean;
}

export interface ImapContext {
  options: ImapOptions;
  state: ImapState;
  /** INBOX, message 1 first, as stored. */
  messages: Buffer[];
  /** The case's fault of this kind, if any. */
  fault<K extends ImapFaultKind>(kind: K): Extract<ImapFault, { kind: K }> | undefined;
}

export function initialState(implicit: boolean): ImapState {
  return {
    layer: implicit ? 'tls' : 'plaintext',
    state: 'not-authenticated',
    tlsDone: implicit,
    assembler: new CommandAssembler(MAX_LITERAL, MAX_COMMAND),
    rev2: false,
    readOnly: false,
    seen: new Set(),
    capabilitySeen: { plaintext: 0, tls: 0 },
    commands: 0,
    badCommands: 0,
    falseGoAhead: false,
    helloSeen: false,
    helloLeft: 0,
    stalled: false,
    closed: false,
  };
}

const kit = faultKit(explainImapFault);

/** The event recording that a fault was carried out (reports explain it). */
export const faultEvent = kit.event;
export { prepend } from '../shared/fault-kit.js';

function replyEvent(ctx: ImapContext, code: string, text: string): RecordedEvent {
  return { type: 'reply', fields: { layer: ctx.state.layer, code, text } };
}

export type Status = 'OK' | 'NO' | 'BAD';

/**
 * A tagged completion (RFC 9051 §7.1), after any untagged data lines: the
 * data go out first, in the same write, and the completion is recorded as the
 * reply (its status as the code).
 */
export function tagged(
  ctx: ImapContext,
  tag: string,
  status: Status,
  text: string,
  opts: { data?: Array<string | Buffer>; extra?: Partial<MachineOutput> } = {},
): MachineOutput {
  const bytes = Buffer.concat([
    ...(opts.data ?? []).map((d) => (typeof d === 'string' ? Buffer.from(`${d}\r\n`, 'latin1') : d)),
    Buffer.from(`${tag} ${status} ${text}\r\n`, 'latin1'),
  ]);
  return withReply(ctx, status, text, bytes, opts.extra ?? {});
}

/** An untagged status response (the greeting, a BYE): recorded as a reply of its own. */
export function untaggedStatus(
  ctx: ImapContext,
  status: 'OK' | 'PREAUTH' | 'BYE' | 'BAD',
  text: string,
  extra: Partial<MachineOutput> = {},
): MachineOutput {
  return withReply(ctx, status, text, `* ${status} ${text}\r\n`, extra);
}

/** A command continuation request (RFC 9051 §7.5): "+ text". */
export function continuation(ctx: ImapContext, text: string): MachineOutput {
  return withReply(ctx, '+', text, text ? `+ ${text}\r\n` : '+ \r\n', {});
}

function withReply(
  ctx: ImapContext,
  code: string,
  text: string,
  write: string | Buffer,
  extra: Partial<MachineOutput>,
): MachineOutput {
  return { ...extra, write, record: [replyEvent(ctx, code, text), ...(extra.record ?? [])] };
}

/** Goes silent for good, recording why; `write` still goes out first (half a literal). */
export function stall(ctx: ImapContext, fault: ImapFault, write?: string | Buffer): MachineOutput {
  ctx.state.stalled = true;
  return kit.stall(fault, write);
}

/** The stall fault, when it is set for this step. */
export function stallAt(ctx: ImapContext, step: StallStep): ImapFault | undefined {
  return kit.stallAt(ctx.options.faults, step);
}

/** Bytes written ahead of an output's own, in the same write. */
export function writeAhead(bytes: string | Buffer, out: MachineOutput): MachineOutput {
  return {
    ...out,
    write: Buffer.concat([bytesOf(bytes), out.write === undefined ? Buffer.alloc(0) : bytesOf(out.write)]),
  };
}

/** Text as the wire carries it: one byte per character (the line reader reads latin1). */
export function bytesOf(data: string | Buffer): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'latin1') : data;
}
