import { connect as tcpConnect, createServer, isIPv4, type Socket } from 'node:net';
import { findFault } from '../shared/fault-kit.js';
import { TrackedConnection } from '../shared/connection.js';
import { bytesOf } from '../shared/script/schema.js';
import { closeServer, listenOn, SocketSet } from '../shared/listen.js';
import type { RunningServer, ServerContext } from '../shared/server-types.js';
import { explainSocks5Fault, type Socks5Fault } from './faults.js';
import { accountOf } from './long-names.js';
import {
  createSocks5Machine,
  type ConnectRequest,
  type ConnectResult,
  type OwnAnswer,
  type RuleDone,
  type Scripted,
  type Socks5Output,
} from './machine.js';
import { ACTION_OF, type Socks5Options } from './options.js';
import { explainSocks5Rule } from './script-explain.js';
import { runRule, type StageIO } from './script-run.js';
import { replyOf, Socks5Rules, type ReplyFields, type Socks5Stage } from './script.js';
import { startTarget, type Target } from './targets.js';
import { relayTunnel } from './tunnel.js';
import { DECOY, startRelay, type DatagramIO, type Relay } from './udp-relay.js';
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
  const fault = <K extends Socks5Fault['kind']>(kind: K) => findFault(options.faults, kind);

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
    job: {
      proxyUrl: `${options.resolve === 'remote' ? 'socks5h' : 'socks5'}://${userinfo}${hostPart}:${port}`,
      action: ACTION_OF[options.command],
    },
    faults: [...options.script.map(explainSocks5Rule), ...options.faults.map(explainSocks5Fault)],
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
  /** The case's script, counted for this connection. */
  private readonly rules: Socks5Rules | undefined;
  /** Bytes a rule held back, to leave with the next write. */
  private held: Buffer[] = [];
  private relaying = false;

  constructor(
    private readonly socket: Socket,
    private readonly tracked: TrackedConnection,
    private readonly options: Socks5Options,
    private readonly target: Target,
    private readonly ctx: ServerContext,
    private readonly sockets: SocketSet,
    private readonly extras: Set<{ close(): void }>,
  ) {
    this.rules = options.script.length ? new Socks5Rules(options.script) : undefined;
    this.machine = createSocks5Machine(options, this.rules);
  }

  start(): void {
    this.socket.on('data', (chunk: Buffer) => {
      // Once relaying, the tunnel reads the client; until then the machine keeps what comes early.
      if (this.relaying) return;
      this.apply(this.machine.push(chunk));
    });
    // A message begun and never finished (a wrong length the proxy waits on) is recorded when the client leaves.
    this.socket.once('close', () => this.apply(this.machine.clientLeft()));
    this.apply(this.machine.accepted());
  }

  private record(e: { type: string; fields: unknown }): void {
    this.ctx.log.record(NAME, e.type as never, e.fields as never, this.tracked.id);
  }

  private apply(o: Socks5Output): void {
    for (const e of o.events) this.record(e);
    // The coalesce fault holds the reply back to send it with the peer's first bytes.
    const prefix = o.coalesce ? Buffer.concat(o.writes) : undefined;
    for (const w of prefix ? [] : o.writes) void this.enqueue(w, o.paced ? PACE_MS : 0);
    if (o.close) void this.writing.then(() => this.end());
    if (o.linger) setTimeout(() => this.end(), LINGER_MS).unref();
    if (o.connect) this.carryOutAfterDelay(o.connect);
    if (o.awaitPeer) void this.writing.then(() => this.target.connectPeer?.(this.bindPort));
    if (o.tunnel) this.relay(o.tunnel.forward, prefix);
    if (o.scripted) void this.scripted(o.scripted).catch(() => this.socket.destroy());
  }

  /** Writes after everything written before (and with what a rule held back); resolves once written, and `pauseMs` later. */
  private enqueue(bytes: Buffer, pauseMs = 0): Promise<void> {
    this.writing = this.writing.then(
      () =>
        new Promise<void>((resolve) => {
          if (this.socket.destroyed) return resolve();
          this.socket.write(this.withHeld(bytes), () => (pauseMs ? setTimeout(resolve, pauseMs) : resolve()));
        }),
    );
    return this.writing;
  }

  private withHeld(bytes: Buffer): Buffer {
    if (!this.held.length) return bytes;
    const all = Buffer.concat([...this.held, bytes]);
    this.held = [];
    return all;
  }

  /** The reply-delay fault holds the request back, so a client that does not wait for the reply shows it. */
  private carryOutAfterDelay(req: ConnectRequest): void {
    const delay = findFault(this.options.faults, 'reply-delay');
    const carryOut = (): void => void this.carryOut(req).then((result) => this.apply(this.machine.connected(result)));
    if (!delay) return carryOut();
    this.ctx.log.record(NAME, 'fault', { name: delay.kind, explain: explainSocks5Fault(delay) }, this.tracked.id);
    setTimeout(() => {
      if (!this.socket.destroyed) carryOut();
    }, delay.ms).unref();
  }

  /** Opens the connection, the BIND listener or the UDP relay the request asks for. */
  private carryOut(req: ConnectRequest): Promise<ConnectResult> {
    if (req.command === 'bind') return this.bind();
    if (req.command === 'udp') return this.associate(req);
    return this.open(req);
  }

  // ---- scripts (servers/socks5/script.ts) ----

  /** A rule holds a stage: its actions, then the machine goes on as the rule ended. */
  private async scripted(s: Scripted): Promise<void> {
    const rules = this.rules!.rules;
    if (s.stage === 'request') {
      let result: Promise<ConnectResult> | undefined;
      const carry = (): Promise<ConnectResult> => (result ??= this.carryOut(s.request));
      const run = await runRule(
        rules,
        s.rule,
        this.stageIO(
          'request',
          async () => this.machine.ownReply(await carry()),
          async (fields) => {
            const r = await carry();
            return replyOf(
              fields,
              r.ok
                ? { rep: 0, addr: r.boundAddr ?? '127.0.0.1', port: r.boundPort }
                : { rep: r.rep, addr: '0.0.0.0', port: 0 },
            );
          },
        ),
      );
      // Without an ending the proxy carries on: the request carried out (if no `normal` did it yet), the tunnel opened anyway.
      if (run.ending) return this.ended(run, this.machine.resume(run));
      return this.apply(this.machine.proceed(await carry()));
    }
    const peer = s.stage === 'bind-peer' ? s.peer : undefined;
    const reply = peer
      ? async (fields: ReplyFields) => replyOf(fields, { rep: 0, addr: peer.addr, port: peer.port })
      : undefined;
    const run = await runRule(
      rules,
      s.rule,
      this.stageIO(s.stage, async () => this.machine.ownAnswer(), reply),
    );
    this.ended(run, this.machine.resume(run));
  }

  private stageIO(
    stage: Socks5Stage,
    own: () => Promise<OwnAnswer>,
    reply?: (fields: ReplyFields) => Promise<Buffer>,
  ): StageIO {
    return {
      stage,
      own,
      ...(reply ? { reply } : {}),
      record: (e) => {
        // Bytes the client sent ahead of a reply are recorded before it, as the proxy's own reply does.
        if (e.type === 'reply') for (const x of this.machine.beforeReply()) this.record(x);
        this.record(e);
      },
      write: (bytes) => this.enqueue(bytes),
      hold: (bytes) => void this.held.push(bytes),
      gone: () => this.socket.destroyed,
    };
  }

  /** The machine's next output, then the rule's ending once what it wrote is out. */
  private ended(run: RuleDone, o: Socks5Output): void {
    this.apply(o);
    if (run.ending === 'stall' || !run.ending) return;
    this.upstream?.destroy();
    if (run.ending === 'close') void this.writing.then(() => this.end());
    else void this.writing.then(() => this.reset());
  }

  /** A `datagram` rule, if one is armed, answers the target's datagram instead of the relay. */
  private scriptedDatagram(io: DatagramIO): boolean {
    const index = this.rules?.match({ stage: 'datagram' });
    if (index === undefined) return false;
    void runRule(this.rules!.rules, index, {
      stage: 'datagram',
      record: (e) => this.record(e),
      write: (bytes) => io.send(bytes, 'relay'),
      hold: () => undefined,
      own: async () => io.own,
      datagram: async (d) => {
        const data = d.data === undefined ? DECOY : bytesOf({ send: d.data });
        const bytes =
          d.header === undefined ? io.wrap(data, d.frag ?? 0) : Buffer.concat([bytesOf({ hex: d.header }), data]);
        await io.send(bytes, d.from ?? 'relay');
      },
      gone: () => false,
    }).catch(() => undefined);
    return true;
  }

  // ---- carrying out requests ----

  private bindPort = 0;

  /** RFC 1928 §4 BIND: a listener for the peer; the first reply names it, the second the peer. */
  private async bind(): Promise<ConnectResult> {
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
    return { ok: true, boundPort: this.bindPort, boundAddr: this.ctx.bindHost };
  }

  /** RFC 1928 §7 UDP ASSOCIATE: a relay for this connection's lifetime. */
  private async associate(req: ConnectRequest): Promise<ConnectResult> {
    const relay: Relay = await startRelay({
      ctx: this.ctx,
      conn: this.tracked.id,
      clientHost: normalize(this.socket.remoteAddress ?? ''),
      declared: { addr: req.addr, port: req.port },
      allowed: (d: Datagram) => {
        const dest = this.destination({ command: 'udp', atyp: d.atyp, addr: d.addr, port: d.port });
        return typeof dest === 'string'
          ? true
          : `to ${d.addr}:${d.port}, which the relay does not reach (${d.port === this.target.port ? 'unknown host' : 'not the target'})`;
      },
      targetPort: this.target.port,
      faults: this.options.faults,
      ...(this.rules ? { scripted: (io: DatagramIO) => this.scriptedDatagram(io) } : {}),
    });
    this.extras.add(relay);
    if (this.socket.destroyed) relay.end();
    else this.socket.once('close', () => relay.end());
    return { ok: true, boundPort: relay.port, boundAddr: this.ctx.bindHost };
  }

  private end(): void {
    if (this.socket.destroyed) return;
    // What a rule held back and nothing followed leaves now.
    if (this.held.length) this.socket.write(this.withHeld(Buffer.alloc(0)));
    this.tracked.serverCloses();
    this.socket.end();
    this.socket.resume();
  }

  private reset(): void {
    if (this.socket.destroyed) return;
    this.tracked.serverCloses();
    this.socket.resetAndDestroy();
  }

  /** The proxy's own resolver and ruleset: only its target, by the target's names or a loopback literal. */
  private destination(req: ConnectRequest): string | ConnectResult {
    if (req.port !== this.target.port) return { ok: false, rep: 2 };
    if (req.atyp === 'domain')
      return this.target.names.includes(req.addr.toLowerCase()) ? this.ctx.bindHost : { ok: false, rep: 4 };
    const loopback =
      req.addr === '::1' || (isIPv4(req.addr) && req.addr.startsWith('127.')) || req.addr === this.ctx.bindHost;
    return loopback ? this.ctx.bindHost : { ok: false, rep: 2 };
  }

  private open(req: ConnectRequest): Promise<ConnectResult> {
    const host = this.destination(req);
    if (typeof host !== 'string') return Promise.resolve(host);
    return new Promise((resolve) => {
      const upstream = tcpConnect({ host, port: req.port });
      this.sockets.add(upstream);
      upstream.pause();
      upstream.once('connect', () => {
        this.upstream = upstream;
        resolve({ ok: true, boundPort: upstream.localPort ?? 0 });
      });
      upstream.once('error', () => {
        if (!this.upstream) resolve({ ok: false, rep: 5 });
        this.socket.destroy();
      });
    });
  }

  /** Relays both directions (tunnel.ts), through the script's tunnel rules if it has any. */
  private relay(forward: Buffer, prefix?: Buffer): void {
    this.relaying = true;
    const rules = this.rules;
    relayTunnel({
      client: this.socket,
      up: this.upstream!,
      log: this.ctx.log,
      conn: this.tracked.id,
      forward,
      prefix,
      early: findFault(this.options.faults, 'tunnel-close-early'),
      points: rules?.tunnelPoints() ?? [],
      runPoint: (index) =>
        runRule(rules!.rules, index, {
          stage: 'tunnel',
          record: (e) => this.record(e),
          write: (bytes) =>
            new Promise((resolve) =>
              this.socket.destroyed ? resolve() : this.socket.write(this.withHeld(bytes), () => resolve()),
            ),
          hold: (bytes) => void this.held.push(bytes),
          own: async () => ({ events: [], writes: [] }),
          gone: () => this.socket.destroyed,
        }),
      send: (bytes) => void this.socket.write(this.withHeld(bytes)),
      end: () => this.end(),
      reset: () => this.reset(),
      ready: this.writing,
    });
  }
}
