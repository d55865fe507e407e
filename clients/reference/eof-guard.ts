import { Duplex } from 'node:stream';
import type { Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { whenAborted } from './abort.js';

/** TLS record content types (RFC 8446 §5.1): a byte outside them cannot open a record. */
const RECORD_TYPES = new Set([20, 21, 22, 23, 24]);
/** How long CCC waits for the server's close_notify before speaking plaintext anyway. */
const CLOSE_NOTIFY_WAIT_MS = 2000;

/**
 * Sits between the TCP socket and TLS to tell a clean TLS close (close_notify)
 * from a bare TCP FIN, which Node's TLS otherwise reports alike. The FIN is
 * passed on to TLS one event-loop turn late: if TLS ended before that, the
 * peer sent close_notify; if only after, the connection was cut (RFC 8446 §6.1).
 *
 * It can also hand the socket back for FTP's CCC (RFC 4217 §5): held, it
 * passes TLS whole records only and no longer ends or destroys the socket with
 * TLS, so that TLS can be shut down and the connection go on in plaintext.
 */
export class EofGuard extends Duplex {
  /** True once the bare TCP end was handed to the TLS layer. */
  eofPassedOn = false;
  /** Held for a clearing: records only, and TLS's end is not the socket's. */
  private held = false;
  /** Handed back: nothing passes any more. */
  private returned = false;
  private pending: Buffer = Buffer.alloc(0);
  /** Bytes seen after the records: the peer spoke plaintext without its close_notify. */
  private onPlaintext: (() => void) | undefined;

  private readonly onData = (chunk: Buffer): void => {
    if (!this.held) {
      if (!this.push(chunk)) this.raw.pause();
      return;
    }
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    this.passRecords();
  };
  private readonly onEnd = (): void => {
    setImmediate(() => {
      if (this.held) return;
      this.eofPassedOn = true;
      this.push(null);
    });
  };
  private readonly onError = (err: Error): void => {
    if (!this.returned) this.destroy(err);
  };
  private readonly onClose = (): void => {
    setImmediate(() => {
      if (!this.returned) this.destroy();
    });
  };

  constructor(private readonly raw: Socket) {
    super();
    raw.on('data', this.onData);
    raw.once('end', this.onEnd);
    raw.once('error', this.onError);
    raw.once('close', this.onClose);
  }

  override _read(): void {
    if (!this.returned) this.raw.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, cb: (err?: Error | null) => void): void {
    if (this.returned) return cb();
    this.raw.write(chunk, cb);
  }

  override _final(cb: (err?: Error | null) => void): void {
    if (!this.held) this.raw.end();
    cb();
  }

  override _destroy(err: Error | null, cb: (err?: Error | null) => void): void {
    if (!this.held) this.raw.destroy();
    cb(err);
  }

  /** Before CCC is sent: from now on TLS gets whole records only, and its close_notify ends TLS, not TCP. */
  hold(): void {
    this.held = true;
  }

  /** CCC was refused: back to a plain pass-through. */
  unhold(): void {
    this.held = false;
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    if (rest.length) this.push(rest);
  }

  /**
   * After "200" to CCC: ends TLS with our close_notify, waits for the
   * server's (or for plaintext, or a short while), and hands the socket back
   * paused, with any plaintext already received.
   */
  release(tls: TLSSocket, signal: AbortSignal): Promise<{ closeNotify: boolean; rest: Buffer }> {
    return new Promise((resolve, reject) => {
      let closeNotify = tls.readableEnded;
      let finished = false;
      const done = (): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        stopAbort();
        this.raw.off('close', onClose);
        this.returned = true;
        this.raw.off('data', this.onData);
        this.raw.off('end', this.onEnd);
        this.raw.off('error', this.onError);
        this.raw.off('close', this.onClose);
        this.raw.pause();
        const rest = this.pending;
        this.pending = Buffer.alloc(0);
        resolve({ closeNotify, rest });
      };
      const fail = (why: string): void => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        reject(new Error(why));
      };
      const onClose = (): void => fail('the connection closed during CCC');
      const onAbort = (): void => fail('timed out during CCC');
      const timer = setTimeout(done, CLOSE_NOTIFY_WAIT_MS);
      const stopAbort = whenAborted(signal, onAbort);
      this.raw.once('close', onClose);
      this.onPlaintext = done;
      if (!tls.writableEnded) tls.end();
      if (closeNotify) return done();
      tls.resume();
      tls.once('end', () => {
        closeNotify = true;
        done();
      });
      this.passRecords();
    });
  }

  /** Passes the complete records at the front of what arrived; a byte that cannot open one starts plaintext. */
  private passRecords(): void {
    for (;;) {
      const b = this.pending;
      if (!b.length) return;
      if (!RECORD_TYPES.has(b[0]!) || (b.length >= 2 && b[1] !== 3)) return this.onPlaintext?.();
      if (b.length < 5) return;
      const end = 5 + b.readUInt16BE(3);
      if (b.length < end) return;
      this.push(b.subarray(0, end));
      this.pending = b.subarray(end);
    }
  }
}
