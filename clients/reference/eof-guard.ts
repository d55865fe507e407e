import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';

/**
 * Sits between the TCP socket and TLS to tell a clean TLS close (close_notify)
 * from a bare TCP FIN, which Node's TLS otherwise reports alike. The FIN is
 * passed on to TLS one event-loop turn late: if TLS ended before that, the
 * peer sent close_notify; if only after, the connection was cut (RFC 8446 §6.1).
 */
export class EofGuard extends Duplex {
  /** True once the bare TCP end was handed to the TLS layer. */
  eofPassedOn = false;

  constructor(private readonly raw: Socket) {
    super();
    raw.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) raw.pause();
    });
    raw.once('end', () =>
      setImmediate(() => {
        this.eofPassedOn = true;
        this.push(null);
      }),
    );
    raw.once('error', (err) => this.destroy(err));
    raw.once('close', () => setImmediate(() => this.destroy()));
  }

  override _read(): void {
    this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    this.raw.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    this.raw.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    this.raw.destroy();
    cb(err);
  }
}
