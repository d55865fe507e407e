import { createHash } from 'node:crypto';
import { connect as tcpConnect, createServer, isIPv4, type Socket } from 'node:net';
import { TrackedConnection } from '../shared/connection.js';
import { closeServer, listenOn, SocketSet } from '../shared/listen.js';
import type { RunningServer, ServerContext } from '../shared/server-types.js';
import { explainSocks5Fault, type Socks5Fault } from './faults.js';
import { accountOf } from './long-names.js';
import { createSocks5Machine, type ConnectRequest, type ConnectResult, type Socks5Output } from './machine.js';
import { ACTION_OF, type Socks5Options } from './options.js';
import { startTarget, type Target } from './targets.js';
import { startRelay, type Relay } from './udp-relay.js';
import type { Datagram } from './udp.js';

const NAME = 'socks5';
/** Pause between the bytes of a split message. */
const PACE_MS = 5;
/** How long the proxy keeps listening after a scripted refusal, to see whether the client goes on. */
const LINGER_MS = 1500;

/** Starts the SOCKS5 proxy of one case, and its target, on ephemeral loopback ports. */
export async function startSocks5Server(options: Socks5Options, ctx: ServerContext): Promise<RunningServer> {
  const target = await startTarget(options, ctx);
  const sockets = new SocketSet();
  /** BIND listeners and UDP relays still open, closed with the case. */
  const extras = new Set<{ close(): void }>();
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
    new ProxySession(socket, tracked, options, target, ctx, sockets, extras).start();
  });

  const port = await listenOn(server, ctx.bindHost);
  ctx.log.record(NAME, 'listening', { host: ctx.bindHost, port, tls: 'none' });
  const auth = options.offerCredentials && options.methods.includes('username-password');
  const account = accountOf(options);
  const userinfo = auth ? `${encodeURIComponent(account.user)}:${encodeURIComponent(account.pass)}@` : '';
  const hostPart = ctx.bindHost.includes(':') ? `[${ctx.bindHost}]` : ctx.bindHost;
  return {
    endpoint: { url: target.url, host: ctx.bindHost, port, tls: 'none', caFile: target.caFile },
    expectedOutput: target.body,
    ...(target.input ? { input: target.input, received: target.received! } : {}),
    ...(auth ? { credentials: account } : {}),
    job: { proxyUrl: `${options.resolve === 'remote' ? 'socks5h' : 'socks5'}://${userinfo}${hostPart}:${port}`, action: ACTION_OF[options.command] },
    faults: options.faults.map(explainSocks5Fault),
    async stop() {
      for (const e of extras) e.close();
      await closeServer(server, sockets);
      await target.stop();
    },
  };
}

/** An IPv4 peer as Node may report it on a dual-stack socket. */
function normalize(addr: string): string {
  return addr.startsWith('::ffff:') ? addr.slice(7) : addr;
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
    private readonly extras: Set<{ close(): void }>,
  ) {
    this.machine = createSocks5Machine(options);
  }

  start(): void {
    this.socket.on('data', (chunk: Buffer) => {
      if (this.upstream) return;
      this.apply(this.machine.push(chunk));
    });
    // A message begun and never finished (a wrong length the proxy waits on) is recorded when the client leaves.
    this.socket.once('close', () => this.apply(this.machine.clientLeft()));
  }

  private apply(o: Socks5Output): void {
    for (const e of o.events) this.ctx.log.record(NAME, e.type, e.fields as never, this.tracked.id);
    // The coalesce fault holds the reply back to send it with the peer's first bytes.
    const prefix = o.coalesce ? Buffer.concat(o.writes) : undefined;
    for (const w of prefix ? [] : o.writes) {
      this.writing = this.writing.then(() => new Promise<void>((resolve) => {
        if (this.socket.destroyed) return resolve();
        this.socket.write(w, () => (o.paced ? setTimeout(resolve, PACE_MS) : resolve()));
      }));
    }
    if (o.close) void this.writing.then(() => this.end());
    if (o.linger) setTimeout(() => this.end(), LINGER_MS).unref();
    if (o.connect) this.carryOutAfterDelay(o.connect);
    if (o.awaitPeer) void this.writing.then(() => this.target.connectPeer?.(this.bindPort));
    if (o.tunnel) this.relay(o.tunnel.forward, prefix);
  }

  /** The reply-delay fault holds the request back, so a client that does not wait for the reply shows it. */
  private carryOutAfterDelay(req: ConnectRequest): void {
    const delay = this.options.faults.find((f): f is Extract<Socks5Fault, { kind: 'reply-delay' }> => f.kind === 'reply-delay');
    if (!delay) return this.carryOut(req);
    this.ctx.log.record(NAME, 'fault', { name: delay.kind, explain: explainSocks5Fault(delay) }, this.tracked.id);
    setTimeout(() => {
      if (!this.socket.destroyed) this.carryOut(req);
    }, delay.ms).unref();
  }

  private carryOut(req: ConnectRequest): void {
    if (req.command === 'bind') return void this.bind();
    if (req.command === 'udp') return void this.associate(req);
    this.open(req);
  }

  private bindPort = 0;

  /** RFC 1928 §4 BIND: a listener for the peer; the first reply names it, the second the peer. */
  private async bind(): Promise<void> {
    // Half-open allowed: the peer may finish sending before the client has sent it anything.
    const listener = createServer({ allowHalfOpen: true }, (peer) => {
      this.sockets.add(peer);
      peer.on('error', () => undefined);
      listener.close();
      if (this.upstream || this.socket.destroyed) return peer.destroy();
      peer.pause();
      this.upstream = peer;
      this.apply(this.machine.peerConnected({ addr: normalize(peer.remoteAddress ?? ''), port: peer.remotePort ?? 0 }));
    });
    const closer = { close: () => listener.close() };
    this.extras.add(closer);
    this.socket.once('close', () => {
      listener.close();
      this.extras.delete(closer);
    });
    this.bindPort = await listenOn(listener, this.ctx.bindHost);
    this.apply(this.machine.connected({ ok: true, boundPort: this.bindPort, boundAddr: this.ctx.bindHost }));
  }

  /** RFC 1928 §7 UDP ASSOCIATE: a relay for this connection's lifetime. */
  private async associate(req: ConnectRequest): Promise<void> {
    const relay: Relay = await startRelay({
      ctx: this.ctx,
      conn: this.tracked.id,
      clientHost: normalize(this.socket.remoteAddress ?? ''),
      declared: { addr: req.addr, port: req.port },
      allowed: (d: Datagram) => {
        const dest = this.destination({ command: 'udp', atyp: d.atyp, addr: d.addr, port: d.port });
        return typeof dest === 'string' ? true : `to ${d.addr}:${d.port}, which the relay does not reach (${d.port === this.target.port ? 'unknown host' : 'not the target'})`;
      },
      targetPort: this.target.port,
      faults: this.options.faults,
    });
    this.extras.add(relay);
    if (this.socket.destroyed) relay.end();
    else this.socket.once('close', () => relay.end());
    this.apply(this.machine.connected({ ok: true, boundPort: relay.port, boundAddr: this.ctx.bindHost }));
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
  private relay(forward: Buffer, prefix?: Buffer): void {
    const up = this.upstream!;
    const log = this.ctx.log;
    const conn = this.tracked.id;
    const early = this.options.faults.find((f): f is Extract<Socks5Fault, { kind: 'tunnel-close-early' }> => f.kind === 'tunnel-close-early');
    const toTarget = { bytes: 0, hash: createHash('sha256') };
    const toClient = { bytes: 0, hash: createHash('sha256') };
    let cut = false;
    /** The client's side is closed: what the target still sends goes nowhere. */
    let over = false;
    const fromClient = (chunk: Buffer): void => {
      toTarget.bytes += chunk.length;
      toTarget.hash.update(chunk);
      up.write(chunk);
    };
    if (forward.length) fromClient(forward);
    this.socket.on('data', fromClient);
    this.socket.once('end', () => up.end());
    up.on('data', (chunk: Buffer) => {
      if (cut || over) return;
      let piece = chunk;
      if (early && toClient.bytes + chunk.length >= early.bytes) {
        piece = chunk.subarray(0, early.bytes - toClient.bytes);
        cut = true;
      }
      toClient.bytes += piece.length;
      toClient.hash.update(piece);
      this.socket.write(prefix ? Buffer.concat([prefix, piece]) : piece);
      prefix = undefined;
      if (cut) {
        log.record(NAME, 'fault', { name: early!.kind, explain: explainSocks5Fault(early!) }, conn);
        up.destroy();
        this.end();
      }
    });
    up.once('end', () => {
      if (prefix) this.socket.write(prefix);
      this.end();
    });
    this.socket.once('close', () => {
      // End, not destroy: what the client sent just before closing still reaches the target.
      over = true;
      up.end();
      if (toTarget.bytes) log.record(NAME, 'payload-received', { layer: 'plaintext', bytes: toTarget.bytes, sha256: toTarget.hash.digest('hex') }, conn);
      if (toClient.bytes) log.record(NAME, 'payload-sent', { layer: 'plaintext', bytes: toClient.bytes, sha256: toClient.hash.digest('hex'), complete: !cut }, conn);
    });
    // The target's bytes follow the whole reply, however slowly that is written.
    void this.writing.then(() => up.resume());
  }
}
