import type { Socket } from 'node:net';
import { Refused } from '../tls.js';
import { whenAborted } from '../abort.js';

/**
 * Reads a SOCKS5 conversation's messages off a socket by length. Ends and
 * timeouts reject; the `ignoreEof` flaw keeps waiting after an end instead (and
 * past the time limit). `release()` gives the socket back with unread bytes.
 */
export class SocketReader {
  private buf = Buffer.alloc(0);
  private ended = false;
  private wake: (() => void) | undefined;
  private readonly stopAbort: () => void;
  private readonly onData = (chunk: Buffer): void => {
    this.buf = Buffer.concat([this.buf, chunk]);
    this.wake?.();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake?.();
  };

  constructor(
    private readonly socket: Socket,
    private readonly signal: AbortSignal,
    private readonly ignoreEof: boolean,
  ) {
    socket.on('data', this.onData);
    socket.once('end', this.onEnd);
    socket.once('close', this.onEnd);
    socket.on('error', this.onEnd);
    this.stopAbort = whenAborted(signal, this.onEnd);
  }

  /** Exactly `n` bytes. */
  async read(n: number, what: string): Promise<Buffer> {
    while (this.buf.length < n) await this.next(what);
    const head = this.buf.subarray(0, n);
    this.buf = this.buf.subarray(n);
    return head;
  }

  /** Whatever the next read brings (the single-read flaw's view of a message). */
  async chunk(what: string): Promise<Buffer> {
    if (!this.buf.length) await this.next(what);
    const all = this.buf;
    this.buf = Buffer.alloc(0);
    return all;
  }

  private next(what: string): Promise<void> {
    if (this.ended && !this.ignoreEof) {
      return Promise.reject(
        new Refused(
          this.signal.aborted
            ? `timed out waiting for ${what}`
            : `the proxy closed the connection before ${what} was complete`,
        ),
      );
    }
    return new Promise(
      (resolve) =>
        (this.wake = () => {
          this.wake = undefined;
          if (this.ended && this.ignoreEof && !this.buf.length) return;
          resolve();
        }),
    );
  }

  /** Stops reading and puts unread bytes back into the socket. */
  release(): Socket {
    const { rest } = this.detach();
    if (rest.length) this.socket.unshift(rest);
    return this.socket;
  }

  /** Stops reading; hands over the unread bytes and whether the proxy already ended (the socket stays paused). */
  detach(): { rest: Buffer; ended: boolean } {
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onEnd);
    this.stopAbort();
    this.socket.pause();
    const rest = this.buf;
    this.buf = Buffer.alloc(0);
    return { rest, ended: this.ended && !this.signal.aborted };
  }
}
