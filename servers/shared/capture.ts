import type { Socket } from 'node:net';

/** Bytes that crossed one connection in one direction, as the server's socket saw them. */
export interface Segment {
  /** Milliseconds since the epoch, with sub-millisecond precision. */
  at: number;
  fromClient: boolean;
  bytes: Buffer;
}

export interface CapturedConnection {
  client: { address: string; port: number };
  server: { address: string; port: number };
  openedAt: number;
  closedAt?: number;
  segments: Segment[];
}

/** Caps what one case keeps, so a flooding client cannot exhaust memory through its capture. */
export const CAPTURE_BYTES_LIMIT = 64 * 1024 * 1024;

const now = (): number => performance.timeOrigin + performance.now();

/**
 * Records the raw bytes of every connection a case's servers accept (TLS
 * records included, before decryption), so that a packet capture can be
 * rebuilt for Wireshark: with the key log, it decrypts them.
 */
export class Capture {
  readonly connections: CapturedConnection[] = [];
  private bytes = 0;
  truncated = false;

  /** Taps a socket without changing how it flows: what the stream pushes in, and what it writes out. */
  attach(socket: Socket): void {
    const conn: CapturedConnection = {
      client: { address: socket.remoteAddress ?? '127.0.0.1', port: socket.remotePort ?? 0 },
      server: { address: socket.localAddress ?? '127.0.0.1', port: socket.localPort ?? 0 },
      openedAt: now(),
      segments: [],
    };
    this.connections.push(conn);
    const record = (fromClient: boolean, chunk: unknown): void => {
      if (!Buffer.isBuffer(chunk) && typeof chunk !== 'string') return;
      const bytes = Buffer.isBuffer(chunk) ? Buffer.from(chunk) : Buffer.from(chunk, 'latin1');
      if (!bytes.length) return;
      if (this.bytes + bytes.length > CAPTURE_BYTES_LIMIT) {
        this.truncated = true;
        return;
      }
      this.bytes += bytes.length;
      conn.segments.push({ at: now(), fromClient, bytes });
    };
    const tapped = socket as Socket & {
      push(chunk: unknown, encoding?: BufferEncoding): boolean;
      _writeGeneric(writev: boolean, data: unknown, encoding: string, cb: unknown): unknown;
    };
    const push = tapped.push.bind(tapped);
    tapped.push = (chunk, encoding) => {
      record(true, chunk);
      return push(chunk, encoding);
    };
    const writeGeneric = tapped._writeGeneric.bind(tapped);
    tapped._writeGeneric = (writev, data, encoding, cb) => {
      if (writev) for (const entry of data as { chunk: unknown }[]) record(false, entry.chunk);
      else record(false, data);
      return writeGeneric(writev, data, encoding, cb);
    };
    socket.once('close', () => (conn.closedAt = now()));
  }
}
