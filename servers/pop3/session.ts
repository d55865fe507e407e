/**
 * What a POP3 command handler sees: the case's options, the connection's
 * state, and helpers that build replies together with the events that
 * record them. Pure: nothing here touches a socket.
 */
import type { Layer } from '../shared/events.js';
import type { MachineOutput, RecordedEvent } from '../shared/line-session.js';
import { explainPop3Fault, type Pop3Fault, type Pop3FaultKind } from './faults.js';
import type { Pop3Options } from './options.js';
import { faultKit } from '../shared/fault-kit.js';

/** RFC 1939 §3: AUTHORIZATION until the maildrop is opened, then TRANSACTION. */
export type Phase = 'authorization' | 'transaction';

export interface Pop3State {
  layer: Layer;
  phase: Phase;
  /** The TLS upgrade (or the implicit handshake) happened. */
  tlsDone: boolean;
  /** The name given by USER, waiting for PASS. */
  user?: string;
  /** AUTH PLAIN without an initial response: the next line is the SASL response. */
  saslPending: boolean;
  /** Messages marked by DELE (numbers from 1). */
  deleted: Set<number>;
  /** CAPA commands answered so far, per layer (faults act on the first of a stage). */
  capaSeen: Record<Layer, number>;
  commands: number;
  badCommands: number;
  /** no-tls-after-go-ahead: the client was told to start TLS, and the server never did. */
  falseGoAhead: boolean;
  /** A ClientHello (non-text bytes) arrived after the false go-ahead. */
  helloSeen: boolean;
  /** The server went silent. */
  stalled: boolean;
}

export interface Pop3Context {
  options: Pop3Options;
  state: Pop3State;
  /** The maildrop, message 1 first, as stored. */
  messages: Buffer[];
  /** The case's fault of this kind, if any. */
  fault<K extends Pop3FaultKind>(kind: K): Extract<Pop3Fault, { kind: K }> | undefined;
  /** The CAPA list for the current state, built from the command registry. */
  capabilityLines(): string[];
}

export function initialState(implicit: boolean): Pop3State {
  return {
    layer: implicit ? 'tls' : 'plaintext',
    phase: 'authorization',
    tlsDone: implicit,
    saslPending: false,
    deleted: new Set(),
    capaSeen: { plaintext: 0, tls: 0 },
    commands: 0,
    badCommands: 0,
    falseGoAhead: false,
    helloSeen: false,
    stalled: false,
  };
}

const kit = faultKit(explainPop3Fault);

/** The event recording that a fault was carried out (reports explain it). */
export const faultEvent = kit.event;
export { prepend } from '../shared/fault-kit.js';

function replyEvent(ctx: Pop3Context, code: string, text: string): RecordedEvent {
  return { type: 'reply', fields: { layer: ctx.state.layer, code, text } };
}

/** A single-line positive reply (RFC 1939 §3). */
export function ok(ctx: Pop3Context, text: string, extra: Partial<MachineOutput> = {}): MachineOutput {
  return withReply(ctx, '+OK', text, text ? `+OK ${text}\r\n` : '+OK\r\n', extra);
}

/** A negative reply; `text` may start with a [RESP-CODE] (RFC 2449 §8). */
export function err(ctx: Pop3Context, text: string, extra: Partial<MachineOutput> = {}): MachineOutput {
  return withReply(ctx, '-ERR', text, `-ERR ${text}\r\n`, extra);
}

/** A multi-line reply whose body is already stuffed and terminated. */
export function multiline(
  ctx: Pop3Context,
  text: string,
  body: Buffer,
  extra: Partial<MachineOutput> = {},
): MachineOutput {
  return withReply(ctx, '+OK', text, Buffer.concat([Buffer.from(text ? `+OK ${text}\r\n` : '+OK\r\n'), body]), extra);
}

function withReply(
  ctx: Pop3Context,
  code: string,
  text: string,
  write: string | Buffer,
  extra: Partial<MachineOutput>,
): MachineOutput {
  return { ...extra, write, record: [replyEvent(ctx, code, text), ...(extra.record ?? [])] };
}

/** Goes silent for good, recording why. */
export function stall(ctx: Pop3Context, fault: Pop3Fault, write?: string | Buffer): MachineOutput {
  ctx.state.stalled = true;
  return kit.stall(fault, write);
}

/** The stall fault, when it is set for this step. */
export function stallAt(ctx: Pop3Context, step: Extract<Pop3Fault, { kind: 'stall' }>['at']): Pop3Fault | undefined {
  return kit.stallAt(ctx.options.faults, step);
}
