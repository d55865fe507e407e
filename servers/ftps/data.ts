/**
 * The data channel (RFC 959 §3.2): a passive listener the PASV/EPSV reply
 * names, or a connection to the PORT/EPRT address; with PROT P, TLS on it
 * with the server as TLS server in both modes (RFC 4217 §7), sharing the
 * control connection's SecureContext and session store so that a resumed
 * session shows (unless the case gives data connections a certificate of
 * their own).
 */
import { connect, createServer, type Server, type Socket } from 'node:net';
import { findFault } from '../shared/fault-kit.js';
import { createHash } from 'node:crypto';
import type { SecureContext, TLSSocket } from 'node:tls';
import type { Duplex } from 'node:stream';
import type { EventLog } from '../shared/events.js';
import { TrackedConnection } from '../shared/connection.js';
import { acceptTls, type TlsSessionCache } from '../shared/tls-accept.js';
import type { ClientCertPolicy } from '../shared/client-cert.js';
import { listenOn, type SocketSet } from '../shared/listen.js';
import { explainFtpsFault, type FtpsFault } from './faults.js';
import type { TransferResult } from './machine.js';
import type { FtpsOptions } from './options.js';
import { fromCrlf } from './commands/data.js';
import type { DataScript, TransferRequest } from './session.js';

export const DATA_SERVER = 'ftps-data';
export const TRAP_SERVER = 'ftps-trap';
/** How long a passive listener waits for the client, an active connect may take, and a TLS handshake. */
const DATA_WAIT_MS = 3000;
/** Largest upload kept. */
const MAX_UPLOAD = 8 << 20;

/** The TLS side of data connections: the control connection's context and session store, unless the case gives them a certificate of their own. */
export interface DataTls {
  context: SecureContext;
  /** Shared with the control connection, so `isSessionReused()` means "resumed that session" (RFC 4217 §10.2). */
  sessions?: TlsSessionCache;
  /** Asked on the data connections as on the control connection (servers/shared/client-cert.ts). */
  clientCert?: ClientCertPolicy;
}

export interface DataDeps {
  log: EventLog;
  dataTls: DataTls;
  keylog: string[];
  options: FtpsOptions;
  bindHost: string;
  sockets: SocketSet;
  /** Every listener open now (passive ones and traps); each removes itself when it closes. */
  servers: Set<Server>;
  /** Aborted when the case's server stops: no listener opens after that. */
  signal: AbortSignal;
}

/** A data connection, recorded on `ftps-data` from the moment it is accepted or made. */
interface DataConnection {
  socket: Socket;
  conn: TrackedConnection;
}

function track(deps: DataDeps, socket: Socket): DataConnection {
  deps.sockets.add(socket);
  socket.on('error', () => undefined);
  return { socket, conn: new TrackedConnection(deps.log, DATA_SERVER, socket) };
}

/** Where a trap listens (a foreign PASV address), and the name its `fault` event carries: the named fault's or the script rule's. */
export interface Trap {
  address: string;
  name: string;
}

/**
 * A script's change acts: the rule's `fault` event is recorded here, once,
 * when the data channel first does what the rule said (unless it was recorded
 * with the command), so the judge sees the client meet it.
 */
function acted(deps: DataDeps, script: DataScript, conn?: TrackedConnection): void {
  if (!script.acted) return;
  const tell = script.acted;
  script.acted = undefined;
  if (script.records) deps.log.record(DATA_SERVER, 'fault', script.fault, conn?.id);
  tell();
}

/** Stops a listener and forgets it. */
function stop(deps: DataDeps, server: Server | undefined): void {
  if (!server) return;
  server.close();
  deps.servers.delete(server);
}

/**
 * A passive listener: it takes one connection and stops listening, as vsftpd
 * does, so a client connecting again and again to the port costs nothing; and
 * a trap on the foreign address when the fault asks (same port).
 */
export class PassiveListener {
  private taken: DataConnection | undefined;
  private handedOut = false;
  private waiter: ((c: DataConnection | undefined) => void) | undefined;
  private readonly trapped: Socket[] = [];
  private constructor(
    private readonly deps: DataDeps,
    readonly server: Server,
    readonly port: number,
    readonly trap: Server | undefined,
    trapName = '',
  ) {
    // Connections accepted in the same turn as the first one find the door already shut.
    server.on('connection', (s: Socket) => {
      if (this.taken) return void s.destroy();
      stop(deps, server);
      this.taken = track(deps, s);
      this.waiter?.(this.taken);
    });
    // The trap records a client that followed the foreign address; one such connection is the evidence.
    trap?.on('connection', (s: Socket) => {
      if (this.trapped.length) return void s.destroy();
      stop(deps, trap);
      deps.sockets.add(s);
      this.trapped.push(s);
      const c = new TrackedConnection(deps.log, TRAP_SERVER, s);
      deps.log.record(
        TRAP_SERVER,
        'fault',
        { name: trapName, explain: 'the client connected to the foreign address the PASV reply named' },
        c.id,
      );
      s.resume();
      s.on('error', () => undefined);
    });
  }

  static async open(deps: DataDeps, trapAt: Trap | undefined): Promise<PassiveListener> {
    for (let attempt = 0; ; attempt++) {
      const server = createServer();
      const port = await listenOn(server, deps.bindHost);
      deps.servers.add(server);
      if (deps.signal.aborted) {
        stop(deps, server);
        throw new Error('the server stopped');
      }
      if (!trapAt) return new PassiveListener(deps, server, port, undefined);
      const trap = createServer();
      const ok = await new Promise<boolean>((resolve) => {
        trap.once('error', () => resolve(false));
        trap.listen({ host: trapAt.address, port, exclusive: true }, () => resolve(true));
      });
      if (ok) {
        deps.servers.add(trap);
        return new PassiveListener(deps, server, port, trap, trapAt.name);
      }
      stop(deps, server);
      if (attempt > 5) throw new Error(`cannot listen on ${trapAt.address}`);
    }
  }

  /** The client's connection (handed out once), or undefined after the wait. */
  accept(waitMs = DATA_WAIT_MS): Promise<DataConnection | undefined> {
    this.handedOut = true;
    if (this.taken) return Promise.resolve(this.taken);
    return new Promise((resolve) => {
      const timer = setTimeout(() => done(undefined), waitMs);
      const done = (c: DataConnection | undefined): void => {
        clearTimeout(timer);
        this.waiter = undefined;
        resolve(c);
      };
      this.waiter = done;
    });
  }

  /** Stops listening; a connection never handed to a transfer, and any trapped one, are closed. */
  close(): void {
    stop(this.deps, this.server);
    stop(this.deps, this.trap);
    if (this.taken && !this.handedOut) {
      this.taken.conn.serverCloses();
      this.taken.socket.destroy();
    }
    for (const s of this.trapped) s.destroy();
    this.waiter?.(undefined);
  }
}

function connectActive(deps: DataDeps, host: string, port: number): Promise<DataConnection | undefined> {
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
      resolve(track(deps, s));
    });
    s.once('error', fail);
  });
}

function fault<K extends FtpsFault['kind']>(
  options: FtpsOptions,
  kind: K,
): Extract<FtpsFault, { kind: K }> | undefined {
  return findFault(options.faults, kind);
}

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/**
 * One transfer: opens the data connection the plan names, protects it when
 * asked, sends or receives, and records connect / TLS / payload / close on the
 * `ftps-data` server name. A script rule's change (`script`) or the case's
 * named faults make it misbehave. Resolves with what the control channel answers.
 */
export async function runTransfer(
  deps: DataDeps,
  req: TransferRequest,
  listener: PassiveListener | undefined,
  store: (path: string, data: Buffer) => void,
  script?: DataScript,
): Promise<TransferResult> {
  const { log, options } = deps;
  const edit = script?.edit ?? {};
  const none = fault(options, 'no-data-connection');
  if (none || edit.connection === 'refuse') {
    if (none) log.record(DATA_SERVER, 'fault', { name: none.kind, explain: explainFtpsFault(none) });
    else acted(deps, script!);
    // A passive client that already connected finds its data connection closed at once, with nothing on it.
    const early = await listener?.accept(500);
    early?.conn.serverCloses();
    early?.socket.destroy();
    listener?.close();
    if (none?.code === '421')
      return { ok: false, code: '421', text: 'Service not available, closing control connection.', close: true };
    return { ok: false, code: '425', text: "Can't open data connection." };
  }
  const data =
    req.plan.mode === 'passive' ? await listener?.accept() : await connectActive(deps, req.plan.host, req.plan.port);
  listener?.close();
  if (!data) return { ok: false, code: '425', text: 'Failed to establish connection.' };
  const { socket: raw, conn } = data;
  const missing = fault(options, 'missing-150');
  if (missing?.data === 'empty' || edit.connection === 'close') {
    if (edit.connection === 'close') acted(deps, script!, conn);
    // The data connection opens and closes with nothing on it; the 226 comes anyway.
    conn.serverCloses();
    raw.end();
    return { ok: true };
  }
  const clear = fault(options, 'clear-data-after-prot-p');
  if (req.protect && clear)
    log.record(DATA_SERVER, 'fault', { name: clear.kind, explain: explainFtpsFault(clear) }, conn.id);
  const inClear = clear !== undefined || edit.tls === false;
  if (req.protect && edit.tls === false) acted(deps, script!, conn);
  const tls = req.protect && !inClear ? await protect(deps, data) : undefined;
  if (tls && 'ok' in tls) return tls;
  const stream: Duplex = tls ?? raw;
  const layer = tls ? 'tls' : 'plaintext';
  stream.on('error', () => undefined);
  return req.send ? send(deps, stream, conn, layer, req.send, script) : receive(deps, stream, conn, layer, req, store);
}

/** PROT P: the server's side of TLS on the data connection (RFC 4217 §7), or the failure the control channel answers. */
async function protect(
  deps: DataDeps,
  { socket: raw, conn }: DataConnection,
): Promise<TLSSocket | (TransferResult & { ok: false })> {
  // A client that connects and never says a word holds the transfer for DATA_WAIT_MS at most.
  const silent = setTimeout(() => raw.destroy(), DATA_WAIT_MS);
  const { context, sessions, clientCert } = deps.dataTls;
  const result = await acceptTls(raw, {
    log: deps.log,
    server: DATA_SERVER,
    conn: conn.id,
    context,
    keylog: deps.keylog,
    ...(sessions ? { sessions } : {}),
    ...(clientCert ? { clientCert } : {}),
  });
  clearTimeout(silent);
  if (result.kind !== 'tls') {
    conn.serverCloses();
    raw.destroy();
    return { ok: false, code: '522', text: 'SSL connection failed: TLS required on the data connection.' };
  }
  conn.adopt(result.socket);
  // The duplex under the TLS socket does not always pass the client's hang-up on: without this an upload would
  // wait for its timer. (What TLS already holds is read first: the close comes a moment later.)
  raw.once('close', () => setTimeout(() => result.socket.destroy(), 50));
  if (deps.options.requireSessionReuse && !result.socket.isSessionReused()) {
    conn.serverCloses();
    result.socket.destroy();
    return { ok: false, code: '522', text: 'SSL connection failed: session reuse required.' };
  }
  return result.socket;
}

/** Resolves when `op` calls back or the stream closes, whichever comes first (a destroyed stream may never call back). */
function settled(stream: Duplex, op: (done: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    if (stream.destroyed) return resolve();
    stream.once('close', () => resolve());
    op(() => resolve());
  });
}

async function send(
  deps: DataDeps,
  stream: Duplex,
  conn: TrackedConnection,
  layer: 'tls' | 'plaintext',
  data: Buffer,
  script?: DataScript,
): Promise<TransferResult> {
  const { log, options } = deps;
  const edit = script?.edit ?? {};
  const cut = fault(options, 'truncate-data');
  const abort = fault(options, 'transfer-aborted');
  const at = edit.cut ?? cut?.at;
  const upTo = at !== undefined ? Math.floor(data.length * at) : abort ? data.length >> 1 : data.length;
  const sent = data.subarray(0, upTo);
  // The rule's change is met as the bytes go out: its event before them.
  if (edit.cut !== undefined || edit.end !== undefined) acted(deps, script!, conn);
  // A client that never reads holds the transfer for DATA_WAIT_MS at most.
  const stuck = setTimeout(() => stream.destroy(), DATA_WAIT_MS);
  await settled(stream, (done) => stream.write(sent, done));
  log.record(
    DATA_SERVER,
    'payload-sent',
    { layer, bytes: sent.length, sha256: sha256(sent), complete: sent.length === data.length },
    conn.id,
  );
  conn.serverCloses();
  if (cut) log.record(DATA_SERVER, 'fault', { name: cut.kind, explain: explainFtpsFault(cut) }, conn.id);
  const end = edit.end ?? (cut && !cut.closeNotify ? 'close-without-notify' : 'close');
  if (end !== 'close') {
    // No close_notify: the TCP connection ends under TLS (a truncation attack's shape), or is reset.
    const tls = stream as TLSSocket;
    const tcp = (tls.encrypted ? (tls as unknown as { _parent?: Socket })._parent : undefined) ?? stream;
    if (end === 'reset' && 'resetAndDestroy' in tcp) (tcp as Socket).resetAndDestroy();
    else tcp.destroy();
    stream.destroy();
  } else {
    await settled(stream, (done) => stream.end(done));
  }
  clearTimeout(stuck);
  if (abort) {
    log.record(DATA_SERVER, 'fault', { name: abort.kind, explain: explainFtpsFault(abort) }, conn.id);
    stream.destroy();
    return { ok: false, code: '426', text: 'Connection closed; transfer aborted.' };
  }
  return { ok: true };
}

function receive(
  deps: DataDeps,
  stream: Duplex,
  conn: TrackedConnection,
  layer: 'tls' | 'plaintext',
  req: TransferRequest,
  store: (path: string, data: Buffer) => void,
): Promise<TransferResult> {
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
