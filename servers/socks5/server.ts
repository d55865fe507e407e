import { createHash } from 'node:crypto';
import { connect as tcpConnect, createServer, isIPv4, type Socket } from 'node:net';
import { TrackedConnection } from '../shared/connection.js';
import { closeServer, listenOn, SocketSet } from '../shared/listen.js';
import type { RunningServer, ServerContext } from '../shared/server-types.js';
import { explainSocks5Fault, type Socks5Fault } from './faults.js';
import { createSocks5Machine, type ConnectRequest, type ConnectResult, type Socks5Output } from './machine.js';
import type { Socks5Options } from './options.js';
import { startTarget, type Target } from './targets.js';

const NAME = 'socks5';
/** Pause between the bytes of a split message. */
const PACE_MS = 5;
/** How long the proxy keeps listening after a scripted refusal, to see whether the client goes on. */
const LINGER_MS = 1500;

/** Starts the SOCKS5 proxy of one case, and its target, on ephemeral loopback ports. */
export async function startSocks5Server(options: Socks5Options, ctx: ServerContext): Promise<RunningServer> {
  const target = await startTarget(options, ctx);
  const sockets = new SocketSet();
  const fault = <K extends Socks5Fault['kind']>(kind: K) => options.faults.find((f): f is Extract<Socks5Fault, { kind: K }> => f.kind === kind);

  const server = createServer((socket) => {
    sockets.add(socket);
    const tracked = new TrackedConnection(ctx.log, NAME, socket);
    socket.on('error', () => undefined);
    const stall = fault('stall');
    if (stall?.after === 'accept') {
      ctx.log.record(NAME, 'fault', { name: stall.kind, explain: explainSocks5Fault(stall) }, tracked.id);
      socket.resume();
      return;
    }
    new ProxySession(socket, tracked, options, target, ctx, sockets).start();
  });

  const port = await listenOn(server, ctx.bindHost);
  ctx.log.record(NAME, 'listening', { host: ctx.bindHost, port, tls: 'none' });
  const auth = options.offerCredentials && options.methods.includes('username-password');
  const userinfo = auth ? `${encodeURIComponent(options.credentials.user)}:${encodeURIComponent(options.credentials.pass)}@` : '';
  const hostPart = ctx.bindHost.includes(':') ? `[${ctx.bindHost}]` : ctx.bindHost;
  return {
    endpoint: { url: target.url, host: ctx.bindHost, port, tls: 'none', caFile: target.caFile },
    expectedOutput: target.body,
    ...(auth ? { credentials: { ...options.credentials } } : {}),
    job: { proxyUrl: `${options.resolve === 'remote' ? 'socks5h' : 'socks5'}://${userinfo}${hostPart}:${port}` },
    faults: options.faults.map(explainSocks5Fault),
    async stop() {
      await closeServer(server, sockets);
      await target.stop();
    },
  };
}

/** One client connection: feeds the machine, carries out its output, then relays the tunnel. */
class ProxySession {
  private writing: Promise<void> = Promise.resolve();
  private upstream: Socket | undefined;
  private readonly machine: ReturnType<typeof createSocks5Machine>;

  constructor(
    private readonly socket: Socket,
    private readonly tracked: TrackedConnection,
    private readonly options: Socks5Options,
    private readonly target: Target,
    private readonly ctx: ServerContext,
    private readonly sockets: SocketSet,
  ) {
    this.machine = createSocks5Machine(options);
  }

  start(): void {
    this.socket.on('data', (chunk: Buffer) => {
      if (this.upstream) return;
      this.apply(this.machine.push(chunk));
    });
  }

  private apply(o: Socks5Output): void {
    for (const e of o.events) this.ctx.log.record(NAME, e.type, e.fields as never, this.tracked.id);
    for (const w of o.writes) {
      this.writing = this.writing.then(() => new Promise<void>((resolve) => {
        if (this.socket.destroyed) return resolve();
        this.socket.write(w, () => (o.paced ? setTimeout(resolve, PACE_MS) : resolve()));
      }));
    }
    if (o.close) void this.writing.then(() => this.end());
    if (o.linger) setTimeout(() => this.end(), LINGER_MS).unref();
    if (o.connect) this.open(o.connect);
    if (o.tunnel) this.relay(o.tunnel.forward);
  }

  private end(): void {
    if (this.socket.destroyed) return;
    this.tracked.serverCloses();
    this.socket.end();
    this.socket.resume();
  }

  /** The proxy's own resolver and ruleset: only its target, by the target's names or a loopback literal. */
  private destination(req: ConnectRequest): string | ConnectResult {
    if (req.port !== this.target.port) return { ok: false, rep: 2 };
    if (req.atyp === 'domain') return this.target.names.includes(req.addr.toLowerCase()) ? this.ctx.bindHost : { ok: false, rep: 4 };
    const loopback = req.addr === '::1' || (isIPv4(req.addr) && req.addr.startsWith('127.')) || req.addr === this.ctx.bindHost;
    return loopback ? this.ctx.bindHost : { ok: false, rep: 2 };
  }

  private open(req: ConnectRequest): void {
    const host = this.destination(req);
    if (typeof host !== 'string') return this.apply(this.machine.connected(host));
    const upstream = tcpConnect({ host, port: req.port });
    this.sockets.add(upstream);
    upstream.pause();
    upstream.once('connect', () => {
      this.upstream = upstream;
      this.apply(this.machine.connected({ ok: true, boundPort: upstream.localPort ?? 0 }));
    });
    upstream.once('error', () => {
      if (!this.upstream) this.apply(this.machine.connected({ ok: false, rep: 5 }));
      this.socket.destroy();
    });
  }

  /** Relays both directions, counting and hashing what crosses (the tunnelled bytes are evidence). */
  private relay(forward: Buffer): void {
    const up = this.upstream!;
    const log = this.ctx.log;
    const conn = this.tracked.id;
    const early = this.options.faults.find((f): f is Extract<Socks5Fault, { kind: 'tunnel-close-early' }> => f.kind === 'tunnel-close-early');
    const toTarget = { bytes: 0, hash: createHash('sha256') };
    const toClient = { bytes: 0, hash: createHash('sha256') };
    let cut = false;
    const fromClient = (chunk: Buffer): void => {
      toTarget.bytes += chunk.length;
      toTarget.hash.update(chunk);
      up.write(chunk);
    };
    if (forward.length) fromClient(forward);
    this.socket.on('data', fromClient);
    this.socket.once('end', () => up.end());
    up.on('data', (chunk: Buffer) => {
      if (cut) return;
      let piece = chunk;
      if (early && toClient.bytes + chunk.length >= early.bytes) {
        piece = chunk.subarray(0, early.bytes - toClient.bytes);
        cut = true;
      }
      toClient.bytes += piece.length;
      toClient.hash.update(piece);
      this.socket.write(piece);
      if (cut) {
        log.record(NAME, 'fault', { name: early!.kind, explain: explainSocks5Fault(early!) }, conn);
        up.destroy();
        this.end();
      }
    });
    up.once('end', () => this.end());
    this.socket.once('close', () => {
      up.destroy();
      if (toTarget.bytes) log.record(NAME, 'payload-received', { layer: 'plaintext', bytes: toTarget.bytes, sha256: toTarget.hash.digest('hex') }, conn);
      if (toClient.bytes) log.record(NAME, 'payload-sent', { layer: 'plaintext', bytes: toClient.bytes, sha256: toClient.hash.digest('hex'), complete: !cut }, conn);
    });
    // The target's bytes follow the whole reply, however slowly that is written.
    void this.writing.then(() => up.resume());
  }
}
