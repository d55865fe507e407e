/**
 * The state of one SMTP connection, and the small helpers handlers use to
 * answer: replies (recorded with their layer), faults carried out, and the
 * reset that RFC 3207 §4.2 and RFC 5321 §4.1.4 require.
 */
import type { Layer } from '../shared/events.js';
import { faultKit } from '../shared/fault-kit.js';
import type { MachineOutput } from '../shared/line-session.js';
import { explainSmtpFault, findFault, type FaultOf, type SmtpFault, type SmtpFaultKind } from './faults.js';
import type { SmtpOptions } from './options.js';

/** Where the messages of every connection of one server land (the harness reads the last). */
export interface Mailbox {
  message: Buffer | null;
}

/** An AUTH exchange waiting for its next continuation line (RFC 4954 §4). */
export type AuthExchange = { mechanism: 'PLAIN' } | { mechanism: 'LOGIN'; user?: string };

export interface DataState {
  lines: Buffer[];
  bytes: number;
  tooBig: boolean;
  /** The input chunk DATA arrived in: message lines in it were sent before the 354 (RFC 2920 §3.1). */
  chunk: number;
}

export class Session {
  layer: Layer;
  /** EHLO or HELO was accepted in this layer. */
  greeted = false;
  /** The greeting was EHLO: extensions are in force. */
  extended = false;
  authenticated = false;
  mailFrom: string | undefined;
  rcpts: string[] = [];
  auth: AuthExchange | undefined;
  data: DataState | undefined;
  /** Greeted with 554: only QUIT is served (RFC 5321 §3.1). */
  refused = false;
  /** The no-tls-after-go-ahead fault is in effect: the client believes it is in TLS. */
  fakeTls = false;
  /** In fake TLS, a TLS record (the client's ClientHello) arrived in plaintext. */
  sawHello = false;
  commands = 0;
  private readonly faultsDone = new Set<SmtpFaultKind>();

  constructor(
    readonly options: SmtpOptions,
    readonly mailbox: Mailbox,
    implicit: boolean,
  ) {
    this.layer = implicit ? 'tls' : 'plaintext';
  }

  fault<K extends SmtpFaultKind>(kind: K): FaultOf<K> | undefined {
    return findFault(this.options.faults, kind);
  }

  /** A reply, single or multi-line (RFC 5321 §4.2.1), recorded as one event. */
  reply(code: string, lines: string | readonly string[], extra: MachineOutput = {}): MachineOutput {
    const list = typeof lines === 'string' ? [lines] : lines;
    const write = list.map((l, i) => `${code}${i < list.length - 1 ? '-' : ' '}${l}\r\n`).join('');
    return merge(
      { write, record: [{ type: 'reply', fields: { layer: this.layer, code, text: list.join(' / ') } }] },
      extra,
    );
  }

  /** Records that a fault was carried out (once per connection), passing its output through. */
  carriedOut(fault: SmtpFault, out: MachineOutput = {}): MachineOutput {
    if (this.faultsDone.has(fault.kind)) return out;
    this.faultsDone.add(fault.kind);
    return merge({ record: [faultEvent(fault)] }, out);
  }

  /** RSET, EHLO and the end of a transaction clear the envelope (RFC 5321 §4.1.1.5). */
  resetTransaction(): void {
    this.mailFrom = undefined;
    this.rcpts = [];
    this.data = undefined;
  }

  /** RFC 3207 §4.2: after TLS the server discards all knowledge from the client, and vice versa. */
  forgetAll(): void {
    this.resetTransaction();
    this.greeted = false;
    this.extended = false;
    this.authenticated = false;
    this.auth = undefined;
  }
}

/** The event recording that a fault was carried out (reports explain it). */
export const faultEvent = faultKit(explainSmtpFault).event;

/** Concatenates outputs: writes and records in order; close, stall and upgrade if any asks. */
export function merge(...outs: MachineOutput[]): MachineOutput {
  const out: MachineOutput = {};
  for (const o of outs) {
    if (o.write !== undefined)
      out.write = out.write === undefined ? o.write : Buffer.concat([Buffer.from(out.write), Buffer.from(o.write)]);
    if (o.record?.length) out.record = [...(out.record ?? []), ...o.record];
    if (o.close) out.close = true;
    if (o.stall) out.stall = true;
    if (o.upgrade) out.upgrade = o.upgrade;
  }
  return out;
}
