/**
 * The control connection's socket shell. It is serveLineSession's twin, with
 * one addition FTP needs: a command may start work on the data channel
 * (a passive listener, a transfer) whose reply comes later, so lines are
 * handled one at a time, each waiting for the data channel it asked for.
 */
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { SecureContext } from 'node:tls';
import { LineReader, LineTooLongError } from '../shared/line-reader.js';
import { acceptTls, type TlsSessionCache } from '../shared/tls-accept.js';
import { upgradeToTls } from '../shared/starttls.js';
import type { TrackedConnection } from '../shared/connection.js';
import { PassiveListener, runTransfer, type DataDeps } from './data.js';
import { MAX_LINE, type FtpMachine } from './machine.js';
import type { FtpOutput } from './session.js';

/** How long a closing reply (221, 421) may wait for a client that does not read, before the connection is cut. */
const CLOSE_GRACE_MS = 2000;

export interface ControlOptions extends DataDeps {
  server: string;
  connection: TrackedConnection;
  context: SecureContext;
  /** This connection's session store, shared with its data connections when they use the same certificate. */
  sessions: TlsSessionCache;
  implicitTls: boolean;
  plaintextBanner?: string;
  machine: FtpMachine;
}

export async function serveControl(socket: Socket, opts: ControlOptions): Promise<void> {
  const { log, server, connection, machine } = opts;
  const conn = connection.id;
  let stream: Duplex = socket;
  if (opts.implicitTls) {
    if (opts.plaintextBanner) socket.write(opts.plaintextBanner);
    const result = await acceptTls(socket, { log, server, conn, context: opts.context, keylog: opts.keylog, sessions: opts.sessions });
    if (result.kind !== 'tls') {
      connection.serverCloses();
      socket.destroy();
      return;
    }
    connection.adopt(result.socket);
    stream = result.socket;
  }
  let reader = new LineReader(MAX_LINE);
  let stalled = false;
  /** The session is over (the server closed it, or the client left): no more lines, no new listeners. */
  let ended = false;
  let busy = false;
  let listener: PassiveListener | undefined;
  const foreign = opts.options.faults.find((f) => f.kind === 'pasv-foreign-address');
  const trapAddress = foreign && 'address' in foreign ? foreign.address : undefined;

  const finish = (): void => {
    ended = true;
    listener?.close();
    listener = undefined;
  };
  socket.once('close', finish);

  /** Records and writes; says whether the session goes on. */
  const apply = (out: FtpOutput): boolean => {
    for (const e of out.record ?? []) log.record(server, e.type, e.fields as never, conn);
    if (out.stall) stalled = true;
    if (out.close) {
      finish();
      connection.serverCloses();
      stream.end(out.write);
      // A client that never reads would keep the reply, and the connection, pending for ever.
      setTimeout(() => socket.destroy(), CLOSE_GRACE_MS).unref();
      return false;
    }
    if (out.write !== undefined && !out.upgrade) stream.write(out.write);
    return true;
  };

  const runData = async (out: FtpOutput): Promise<FtpOutput | undefined> => {
    const req = out.data;
    if (!req) return undefined;
    if (req.op === 'listen') {
      listener?.close();
      const opened = await PassiveListener.open(opts, trapAddress);
      // The client may have left while the port was being opened.
      if (ended) {
        opened.close();
        return undefined;
      }
      listener = opened;
      return machine.passiveReady(req.command, trapAddress ?? opts.bindHost, listener.port);
    }
    const current = req.transfer.plan.mode === 'passive' ? listener : undefined;
    listener = undefined;
    const result = await runTransfer(opts, req.transfer, current, (path, data) => machine.ctx.tree.uploads.set(path, data));
    return ended ? undefined : machine.transferred(result);
  };

  const upgrade = async (out: FtpOutput): Promise<void> => {
    stream.off('data', onData);
    socket.pause();
    const inject = out.upgrade?.inject;
    const result = await upgradeToTls(socket, {
      log, server, conn, context: opts.context, keylog: opts.keylog, sessions: opts.sessions,
      leftover: reader.takeRest(), goAhead: Buffer.from(out.write ?? ''),
      ...(inject !== undefined ? { inject: Buffer.from(inject) } : {}),
    });
    if (result.kind !== 'tls') {
      connection.serverCloses();
      socket.destroy();
      finish();
      return;
    }
    connection.adopt(result.socket);
    stream = result.socket;
    reader = new LineReader(MAX_LINE);
    stream.on('data', onData);
    stream.on('error', () => undefined);
    apply(machine.upgraded());
  };

  /** Handles the complete lines in order; a data request holds the next line back until it is done. */
  const drain = async (): Promise<void> => {
    if (busy) return;
    busy = true;
    try {
      for (let line = reader.next(); line !== undefined && !stalled && !ended; line = reader.next()) {
        const out = machine.line(line);
        if (out.upgrade) {
          if (out.stall) {
            // The go-ahead, then silence: the handshake never happens.
            for (const e of out.record ?? []) log.record(server, e.type, e.fields as never, conn);
            stream.write(out.write ?? '');
            stalled = true;
            return;
          }
          for (const e of out.record ?? []) log.record(server, e.type, e.fields as never, conn);
          await upgrade(out);
          return;
        }
        if (!apply(out)) return;
        if (!out.data) continue;
        // While the data channel works, read no more commands: a flooding client meets TCP backpressure, not a growing buffer.
        stream.pause();
        const later = await runData(out).finally(() => stream.resume());
        if (later && !apply(later)) return;
      }
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err;
      stream.off('data', onData);
      apply({ ...machine.lineTooLong(), close: true });
    } finally {
      busy = false;
    }
  };

  function onData(chunk: Buffer): void {
    if (stalled || ended) return;
    try {
      reader.push(chunk);
    } catch (err) {
      if (!(err instanceof LineTooLongError)) throw err;
      stream.off('data', onData);
      apply({ ...machine.lineTooLong(), close: true });
      return;
    }
    void drain().catch(() => undefined);
  }

  stream.on('error', () => undefined);
  if (apply(machine.start()) && !stalled) stream.on('data', onData);
  else if (stalled) stream.resume();
}
