import type { Socket } from 'node:net';
import type { SecureContext } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { EventFields, EventLog, EventType } from './events.js';
import { LineReader, LineTooLongError } from './line-reader.js';
import { acceptTls, type TlsAcceptResult } from './tls-accept.js';
import { upgradeToTls } from './starttls.js';
import type { TrackedConnection } from './connection.js';

/** An event a machine asks the shell to record (the shell adds time, server and connection). */
export type RecordedEvent = { [K in EventType]: { type: K; fields: EventFields[K] } }[EventType];

/** What a protocol machine wants done after an input. All fields optional. */
export interface MachineOutput {
  /** Bytes to write, line endings included (the machine decides them, LF-only faults too). */
  write?: string | Buffer;
  /** Events to record, in order (commands, replies, credentials, faults…). */
  record?: RecordedEvent[];
  /** `write` is a go-ahead: upgrade to TLS after it; `inject` goes out in the same write. */
  upgrade?: { inject?: string | Buffer };
  /** End the connection after writing. */
  close?: boolean;
  /** Go silent: read and ignore everything from now on, until the client leaves. */
  stall?: boolean;
}

/**
 * A line-based protocol (SMTP, POP3, the FTP control channel) as a pure state
 * machine: lines in, outputs out. It knows whether it is inside TLS because it
 * asked for the upgrade and is told when it happened; it never sees a socket.
 */
export interface LineMachine {
  /** The connection is ready (after the implicit-TLS handshake, if any): greet. */
  start(): MachineOutput;
  /** One line from the client, without its ending. */
  line(line: string): MachineOutput;
  /** The upgrade asked for by `upgrade` completed (RFC 3207 §4.2: forget what came before). */
  upgraded(): MachineOutput;
  /** The client sent a line longer than the limit. */
  lineTooLong(): MachineOutput;
}

export interface LineSessionOptions {
  log: EventLog;
  server: string;
  connection: TrackedConnection;
  context: SecureContext;
  keylog: string[];
  /** Implicit TLS: the handshake comes before the greeting. */
  implicitTls: boolean;
  /** Written in plaintext before the implicit handshake (the "plaintext banner on a TLS port" fault). */
  plaintextBanner?: string;
  /** Longest line accepted. Default 4096 (RFC 5321 §4.5.3.1.6 allows 1000 for SMTP; be lenient). */
  maxLine?: number;
  machine: LineMachine;
}

/**
 * The socket shell shared by line protocols: runs the machine over a socket,
 * performs the implicit handshake or the STARTTLS-style upgrade it asks for,
 * and carries out its writes, closes and stalls. Everything the machine decides
 * is recorded by the machine; the shell records only what sockets tell.
 */
export async function serveLineSession(socket: Socket, opts: LineSessionOptions): Promise<void> {
  const { log, server, connection } = opts;
  const conn = connection.id;
  let stream: Duplex = socket;
  /** Goes on inside TLS when the handshake succeeded; otherwise ends the connection. */
  const adopted = (result: TlsAcceptResult): boolean => {
    if (result.kind !== 'tls') {
      connection.serverCloses();
      socket.destroy();
      return false;
    }
    connection.adopt(result.socket);
    stream = result.socket;
    return true;
  };
  if (opts.implicitTls) {
    if (opts.plaintextBanner) socket.write(opts.plaintextBanner);
    const result = await acceptTls(socket, { log, server, conn, context: opts.context, keylog: opts.keylog });
    if (!adopted(result)) return;
  }
  let reader = new LineReader(opts.maxLine ?? 4096);
  let stalled = false;

  const apply = (out: MachineOutput): 'go-on' | 'stop' => {
    for (const e of out.record ?? []) log.record(server, e.type, e.fields as never, conn);
    if (out.stall) stalled = true;
    if (out.upgrade) return 'stop';
    if (out.write !== undefined && !out.close) stream.write(out.write);
    if (out.close) {
      connection.serverCloses();
      stream.end(out.write);
      return 'stop';
    }
    return 'go-on';
  };

  const onData = (chunk: Buffer): void => {
    if (stalled) return;
    try {
      reader.push(chunk);
      for (let line = reader.next(); line !== undefined && !stalled; line = reader.next()) {
        const out = opts.machine.line(line);
        if (apply(out) === 'stop') {
          if (out.upgrade) void upgrade(out);
          else stream.off('data', onData);
          return;
        }
      }
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err;
      stream.off('data', onData);
      apply({ ...opts.machine.lineTooLong(), close: true });
    }
  };

  const upgrade = async (out: MachineOutput): Promise<void> => {
    stream.off('data', onData);
    socket.pause();
    const goAhead = Buffer.from(out.write ?? '');
    const inject = out.upgrade?.inject;
    const result = await upgradeToTls(socket, {
      log, server, conn, context: opts.context, keylog: opts.keylog,
      leftover: reader.takeRest(), goAhead,
      ...(inject !== undefined ? { inject: Buffer.from(inject) } : {}),
    });
    if (!adopted(result)) return;
    reader = new LineReader(opts.maxLine ?? 4096);
    stream.on('data', onData);
    apply(opts.machine.upgraded());
  };

  stream.on('error', () => undefined);
  // A greeting that closes (421, -ERR) ends the session: no line is read after it.
  if (apply(opts.machine.start()) === 'go-on') stream.on('data', onData);
}
