/**
 * The data channel (RFC 959 §3.2): a passive listener the PASV/EPSV reply
 * names, or a connection to the PORT/EPRT address; with PROT P, TLS on it
 * with the server as TLS server in both modes (RFC 4217 §7), sharing the
 * control connection's SecureContext so that a resumed session shows.
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { createHash } from 'node:crypto';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { EventLog } from '../shared/events.js';
import { TrackedConnection } from '../shared/connection.js';
import { acceptTls } from '../shared/tls-accept.js';
import { listenOn, SocketSet } from '../shared/listen.js';
import { explainFtpsFault, type FtpsFault } from './faults.js';
import type { TransferResult } from './machine.js';
import type { FtpsOptions } from './options.js';
import { fromCrlf } from './commands/data.js';
import type { TransferRequest } from './session.js';

export const DATA_SERVER = 'ftps-data';
export const TRAP_SERVER = 'ftps-trap';
/** How long a passive listener waits for the client, and a transfer may take. */
const DATA_WAIT_MS = 3000;
/** Largest upload kept. */
const MAX_UPLOAD = 8 << 20;

export interface DataDeps {
  log: EventLog;
  context: SecureContext;
  keylog: string[];
  options: FtpsOptions;
  bindHost: string;
  sockets: SocketSet;
  servers: Set<Server>;
}

/** A passive listener, with a trap on the foreign address when the fault asks (same port). */
export class PassiveListener {
  private pending: Socket[] = [];
  private waiter: ((s: Socket | undefined) => void) | undefined;
  private constructor(readonly server: Server, readonly port: number, readonly trap: Server | undefined) {
    server.on('connection', (s) => {
      if (this.waiter) this.waiter(s);
      else this.pending.push(s);
    });
  }

  static async open(deps: DataDeps, trapAddress: string | undefined): Promise<PassiveListener> {
    for (let attempt = 0; ; attempt++) {
      const server = createServer();
      server.maxConnections = 8;
      const port = await listenOn(server, deps.bindHost);
      deps.servers.add(server);
      if (!trapAddress) return new PassiveListener(server, port, undefined);
      const trap = createServer((s) => {
        deps.sockets.add(s);
        const c = new TrackedConnection(deps.log, TRAP_SERVER, s);
        deps.log.record(TRAP_SERVER, 'fault', { name: 'pasv-foreign-address', explain: 'the client connected to the foreign address the PASV reply named' }, c.id);
        s.resume();
        s.on('error', () => undefined);
      });
      const ok = await new Promise<boolean>((resolve) => {
        trap.once('error', () => resolve(false));
        trap.listen({ host: trapAddress, port, exclusive: true }, () => resolve(true));
      });
      if (ok) {
        deps.servers.add(trap);
        return new PassiveListener(server, port, trap);
      }
      server.close();
      if (attempt > 5) throw new Error(`cannot listen on ${trapAddress}`);
    }
  }

  /** The next client connection, or undefined after the wait. */
  accept(waitMs = DATA_WAIT_MS): Promise<Socket | undefined> {
    const first = this.pending.shift();
    if (first) return Promise.resolve(first);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), waitMs);
      const done = (s: Socket | undefined): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(s);
      };
      this.waiter = done;
    });
  }

  close(): void {
    this.server.close();
    this.trap?.close();
  }
}

function connectActive(host: string, port: number): Promise<Socket | undefined> {
  return new Promise((resolve) => {
    const s = connect({ host, port });
    const timer = setTimeout(() => fail(), DATA_WAIT_MS);
    const fail = (): void => {
      clearTimeout(timer);
      s.destroy();
      resolve(undefined);
    };
    s.once('connect', () => {
      clearTimeout(timer);
      s.off('error', fail);
      resolve(s);
    });
    s.once('error', fail);
  });
}

function fault<K extends FtpsFault['kind']>(options: FtpsOptions, kind: K): Extract<FtpsFault, { kind: K }> | undefined {
  return options.faults.find((f): f is Extract<FtpsFault, { kind: K }> => f.kind === kind);
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * One transfer: opens the data connection the plan names, protects it when
 * asked, sends or receives, and records connect / TLS / payload / close on the
 * `ftps-data` server name. Resolves with what the control channel answers.
 */
export async function runTransfer(deps: DataDeps, req: TransferRequest, listener: PassiveListener | undefined, store: (path: string, data: Buffer) => void): Promise<TransferResult> {
  const { log, options } = deps;
  const none = fault(options, 'no-data-connection');
  if (none) {
    log.record(DATA_SERVER, 'fault', { name: none.kind, explain: explainFtpsFault(none) });
    // A passive client that already connected finds its data connection closed at once, with nothing on it.
    (await (listener ? listener.accept(500) : undefined))?.destroy();
    listener?.close();
    return { ok: false, code: none.code, text: none.code === '421' ? 'Service not available, closing control connection.' : "Can't open data connection.", ...(none.code === '421' ? { close: true } : {}) };
  }
  const raw = req.plan.mode === 'passive' ? await listener?.accept() : await connectActive(req.plan.host, req.plan.port);
  listener?.close();
  if (!raw) return { ok: false, code: '425', text: 'Failed to establish connection.' };
  deps.sockets.add(raw);
  raw.on('error', () => undefined);
  const conn = new TrackedConnection(log, DATA_SERVER, raw);
  let stream: Duplex = raw;
  let layer: 'tls' | 'plaintext' = 'plaintext';
  const clear = fault(options, 'clear-data-after-prot-p');
  if (req.protect && clear) {
    log.record(DATA_SERVER, 'fault', { name: clear.kind, explain: explainFtpsFault(clear) }, conn.id);
  } else if (req.protect) {
    const result = await acceptTls(raw, { log, server: DATA_SERVER, conn: conn.id, context: deps.context, keylog: deps.keylog });
    if (result.kind !== 'tls') {
      conn.serverCloses();
      raw.destroy();
      return { ok: false, code: '522', text: 'SSL connection failed: TLS required on the data connection.' };
    }
    conn.adopt(result.socket);
    if (options.requireSessionReuse && !result.socket.isSessionReused()) {
      conn.serverCloses();
      result.socket.destroy();
      return { ok: false, code: '522', text: 'SSL connection failed: session reuse required.' };
    }
    stream = result.socket;
    layer = 'tls';
  }
  stream.on('error', () => undefined);
  return req.send ? send(deps, stream, conn, layer, req.send) : receive(deps, stream, conn, layer, req, store);
}

async function send(deps: DataDeps, stream: Duplex, conn: TrackedConnection, layer: 'tls' | 'plaintext', data: Buffer): Promise<TransferResult> {
  const { log, options } = deps;
  const cut = fault(options, 'truncate-data');
  const abort = fault(options, 'transfer-aborted');
  const upTo = cut ? Math.floor(data.length * cut.at) : abort ? data.length >> 1 : data.length;
  const sent = data.subarray(0, upTo);
  await new Promise<void>((resolve) => stream.write(sent, () => resolve()));
  log.record(DATA_SERVER, 'payload-sent', { layer, bytes: sent.length, sha256: sha256(sent), complete: sent.length === data.length }, conn.id);
  conn.serverCloses();
  if (cut) log.record(DATA_SERVER, 'fault', { name: cut.kind, explain: explainFtpsFault(cut) }, conn.id);
  if (cut && !cut.closeNotify) {
    // No close_notify: the TCP connection ends under TLS (a truncation attack's shape).
    const tls = stream as TLSSocket;
    (tls.encrypted ? (tls as unknown as { _parent?: Socket })._parent ?? stream : stream).destroy();
    stream.destroy();
  } else {
    await new Promise<void>((resolve) => stream.end(() => resolve()));
  }
  if (abort) {
    log.record(DATA_SERVER, 'fault', { name: abort.kind, explain: explainFtpsFault(abort) }, conn.id);
    stream.destroy();
    return { ok: false, code: '426', text: 'Connection closed; transfer aborted.' };
  }
  return { ok: true };
}

function receive(deps: DataDeps, stream: Duplex, conn: TrackedConnection, layer: 'tls' | 'plaintext', req: TransferRequest, store: (path: string, data: Buffer) => void): Promise<TransferResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const timer = setTimeout(() => finish(false), DATA_WAIT_MS * 2);
    let done = false;
    const finish = (complete: boolean): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const wire = Buffer.concat(chunks);
      deps.log.record(DATA_SERVER, 'payload-received', { layer, bytes: wire.length, sha256: sha256(wire) }, conn.id);
      if (!complete) {
        conn.serverCloses();
        stream.destroy();
        resolve({ ok: false, code: '426', text: 'Failure reading network stream.' });
        return;
      }
      store(req.storeAt!, req.ascii ? fromCrlf(wire) : wire);
      // Answer the client's close_notify with ours: a client that waits for it (ftplib's unwrap()) goes on.
      conn.serverCloses();
      stream.end();
      resolve({ ok: true });
    };
    stream.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_UPLOAD) return finish(false);
      chunks.push(c);
    });
    stream.once('end', () => finish(true));
    stream.once('close', () => finish(true));
  });
}
