/**
 * The parties behind the proxy for BIND and UDP ASSOCIATE (RFC 1928 §4, §7):
 * the peer that connects to the proxy's BIND listener, and a UDP service.
 * Both know the client's input and answer with the served body, so integrity
 * is checked in both directions.
 */
import { createHash } from 'node:crypto';
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { connect as tcpConnect, createServer } from 'node:net';
import { TrackedConnection } from '../shared/connection.js';
import type { EventLog } from '../shared/events.js';
import { closeServer, listenOn, SocketSet } from '../shared/listen.js';
import type { ServerContext } from '../shared/server-types.js';

const sha256 = (b: Buffer): string => createHash('sha256').update(b).digest('hex');
/** How long the peer takes to connect after the first reply, as a peer told of the address would. */
const PEER_DELAY_MS = 50;
/** Datagrams the UDP target answers before it stops (a flooding client costs nothing more). */
const MAX_DATAGRAMS = 1000;

/** What the client sends: 512 bytes with every byte value, twice. */
export function clientInput(): Buffer {
  return Buffer.from(Array.from({ length: 512 }, (_, i) => i & 0xff));
}

export interface Peer {
  /** The peer's own service port (what a client names in its BIND request). */
  port: number;
  /** Connects to the proxy's BIND listener, sends the body, reads the client's bytes. */
  connectTo(host: string, port: number): void;
  received(): Buffer | null;
  stop(): Promise<void>;
}

export async function startBindPeer(body: Buffer, input: Buffer, ctx: ServerContext): Promise<Peer> {
  const sockets = new SocketSet();
  // A real peer listens somewhere; connections to it end at once (the client's job is the BIND).
  const service = createServer((s) => s.destroy());
  const port = await listenOn(service, ctx.bindHost);
  const chunks: Buffer[] = [];
  const timers = new Set<NodeJS.Timeout>();
  return {
    port,
    connectTo(host, bindPort) {
      const timer = setTimeout(() => {
        timers.delete(timer);
        const socket = tcpConnect({ host, port: bindPort });
        sockets.add(socket);
        let conn: number | undefined;
        socket.on('error', () => undefined);
        let sent = false;
        let clientEnded = false;
        let size = 0;
        // The peer sends at once and closes once the whole input (or the client's end) came: the client needs no half-close.
        const finish = (): void => {
          if (!sent || socket.writableEnded) return;
          const got = Buffer.concat(chunks);
          if (got.length) record(ctx.log, 'bind-peer', conn, 'payload-received', got);
          socket.end();
        };
        socket.once('connect', () => {
          conn = new TrackedConnection(ctx.log, 'bind-peer', socket).id;
          socket.write(body, () => {
            sent = true;
            record(ctx.log, 'bind-peer', conn, 'payload-sent', body);
            if (size >= input.length || clientEnded) finish();
          });
        });
        socket.on('data', (c: Buffer) => {
          chunks.push(c);
          size += c.length;
          if (size >= input.length) finish();
        });
        socket.once('end', () => {
          clientEnded = true;
          finish();
        });
      }, PEER_DELAY_MS);
      timers.add(timer);
    },
    received: () => (chunks.length ? Buffer.concat(chunks) : null),
    async stop() {
      for (const t of timers) clearTimeout(t);
      await closeServer(service, sockets);
    },
  };
}

export interface UdpTarget {
  port: number;
  received(): Buffer | null;
  stop(): Promise<void>;
}

/** Answers a datagram holding exactly the input with the body; anything else with a complaint. */
export async function startUdpTarget(body: Buffer, input: Buffer, ctx: ServerContext): Promise<UdpTarget> {
  const socket: UdpSocket = createSocket(ctx.bindHost.includes(':') ? 'udp6' : 'udp4');
  socket.on('error', () => undefined);
  await new Promise<void>((resolve) => socket.bind(0, ctx.bindHost, resolve));
  const port = socket.address().port;
  ctx.log.record('udp-target', 'listening', { host: ctx.bindHost, port, tls: 'none' });
  let first: Buffer | null = null;
  let count = 0;
  socket.on('message', (msg, from) => {
    if (++count > MAX_DATAGRAMS) return;
    first ??= Buffer.from(msg);
    record(ctx.log, 'udp-target', undefined, 'payload-received', msg);
    const answer = msg.equals(input)
      ? body
      : Buffer.from(`conform: the UDP target expected the ${input.length}-byte input, got ${msg.length} bytes\n`);
    socket.send(answer, from.port, from.address, () =>
      record(ctx.log, 'udp-target', undefined, 'payload-sent', answer),
    );
  });
  return {
    port,
    received: () => first,
    stop: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}

function record(
  log: EventLog,
  server: string,
  conn: number | undefined,
  type: 'payload-sent' | 'payload-received',
  bytes: Buffer,
): void {
  const fields = { layer: 'plaintext' as const, bytes: bytes.length, sha256: sha256(bytes) };
  if (type === 'payload-sent') log.record(server, type, { ...fields, complete: true }, conn);
  else log.record(server, type, fields, conn);
}
