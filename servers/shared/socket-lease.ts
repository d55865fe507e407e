/**
 * The raw socket lent to the TLS layer as its transport. The hello was read
 * and put back into the socket's JS buffer, where a TLSSocket wrapping the
 * net.Socket's handle directly would never see it, so TLS reads through this
 * duplex instead. Unlike Duplex.from, tearing the TLS session down leaves the
 * raw socket to its owner, so plaintext sent after a failed handshake can
 * still be read and recorded.
 *
 * The socket can also be taken back whole, for FTP's CCC (RFC 4217 §5): TLS is
 * shut down on the control connection, which goes on in plaintext. Node cannot
 * unwrap a TLSSocket, and bytes that reach OpenSSL are lost to the application,
 * so once clearing begins the lease hands TLS whole records only: the first
 * byte that cannot open a record is where plaintext starts, and it never
 * reaches TLS; TLS's shutdown no longer ends the TCP connection either.
 */
import type { Socket } from 'node:net';
import { Duplex } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import { isRecordHeader } from './tls-records.js';

/** TLS record content types (RFC 8446 §5.1), to judge a header not yet whole. */
const RECORD_TYPES = new Set([20, 21, 22, 23, 24]);
const HEADER = 5;

/** How TLS ended on a connection that goes on in plaintext. */
export interface Cleared {
  /** The peer answered with its close_notify before speaking plaintext. */
  closeNotify: boolean;
  /** Plaintext bytes already received, to be read before anything else. */
  rest: Buffer;
}

/**
 * Splits `bytes` into the complete TLS records at its start and what follows:
 * `plaintext` when the bytes after the records cannot open a record (the peer
 * went back to plaintext), else the start of a record still arriving.
 */
export function splitRecords(bytes: Buffer): { records: Buffer[]; rest: Buffer; plaintext: boolean } {
  const records: Buffer[] = [];
  let at = 0;
  for (;;) {
    const left = bytes.length - at;
    if (left === 0) return { records, rest: bytes.subarray(at), plaintext: false };
    const opens =
      left < HEADER
        ? RECORD_TYPES.has(bytes[at]!) && (left < 2 || bytes[at + 1] === 3)
        : isRecordHeader(bytes.subarray(at, at + HEADER));
    if (!opens) return { records, rest: bytes.subarray(at), plaintext: true };
    if (left < HEADER) return { records, rest: bytes.subarray(at), plaintext: false };
    const end = at + HEADER + bytes.readUInt16BE(at + 3);
    if (end > bytes.length) return { records, rest: bytes.subarray(at), plaintext: false };
    records.push(bytes.subarray(at, end));
    at = end;
  }
}

export class SocketLease extends Duplex {
  /** Clearing began: records only go to TLS, and TLS's shutdown is not the connection's. */
  private clearing = false;
  /** The socket was handed back: nothing more passes either way. */
  private returned = false;
  private pending: Buffer = Buffer.alloc(0);
  private onReturn: ((rest: Buffer) => void) | undefined;
  /** Clearing: the peer is done with TLS (its close_notify, or plaintext); nothing more is read for TLS. */
  private peerDone = false;
  /** Clearing: TLS's own close_notify has been written (the TLS socket finished). */
  private ownDone = false;

  private readonly onData = (chunk: Buffer): void => {
    // Once TLS is torn down the socket keeps flowing for the plaintext tap; nothing more goes to TLS.
    if (this.destroyed && !this.clearing) return;
    if (!this.clearing) {
      if (!this.push(chunk)) this.socket.pause();
      return;
    }
    const { records, rest, plaintext } = splitRecords(
      this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk,
    );
    this.pending = rest;
    for (const r of records) this.push(r);
    if (plaintext) this.stopReading();
  };
  private readonly onEnd = (): void => {
    if (!this.clearing && !this.destroyed) this.push(null);
  };
  private readonly onClose = (): void => {
    this.destroy();
  };

  constructor(readonly socket: Socket) {
    super();
    socket.on('data', this.onData);
    socket.once('end', this.onEnd);
    socket.once('close', this.onClose);
  }

  override _read(): void {
    // Once the peer is done with TLS the socket stays paused: with no listener of ours on it, a
    // resume would let the plaintext that follows flow past everyone (the next FTP command lost).
    if (!this.returned && !this.peerDone) this.socket.resume();
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.returned || this.socket.destroyed) return done();
    this.socket.write(chunk, () => done());
  }

  override _final(done: (err?: Error | null) => void): void {
    // Clearing: TLS's shutdown sent close_notify; the TCP connection stays open.
    if (!this.clearing) this.socket.end();
    done();
  }

  override _destroy(err: Error | null, done: (err?: Error | null) => void): void {
    // The raw socket is its owner's, destroyed or kept by it.
    if (this.clearing) this.giveBack(true);
    done(err);
  }

  /**
   * RFC 4217 §5 on the server's side: writes `goAhead` (the 200 reply) inside
   * TLS, shuts TLS down with close_notify, and takes the socket back once the
   * peer answered with its own close_notify or spoke plaintext without one.
   * Resolves undefined if the connection ended first.
   */
  clear(tls: TLSSocket, goAhead: string | Buffer): Promise<Cleared | undefined> {
    this.clearing = true;
    return new Promise((resolve) => {
      let closeNotify = false;
      const gone = (): void => resolve(undefined);
      this.socket.once('close', gone);
      // Whatever TLS still holds is read and dropped; its end is the peer's close_notify.
      tls.on('data', () => undefined);
      tls.once('end', () => {
        closeNotify = true;
        this.stopReading();
      });
      // The socket is handed back only once our own close_notify is out too: a peer that answers
      // quickly (ftplib's unwrap() sends its close_notify, then waits for ours) must still get it.
      tls.once('finish', () => {
        this.ownDone = true;
        this.giveBack();
      });
      this.onReturn = (rest) => {
        this.socket.off('close', gone);
        // A close_notify handed to TLS just before the plaintext ends it a moment later.
        setImmediate(() => resolve({ closeNotify, rest }));
      };
      tls.resume();
      tls.end(goAhead);
    });
  }

  /** Clearing: the peer is done with TLS; its bytes from here on wait, paused, for the plaintext reader. */
  private stopReading(): void {
    if (this.peerDone || !this.clearing) return;
    this.peerDone = true;
    this.socket.off('data', this.onData);
    this.socket.pause();
    this.giveBack();
  }

  /**
   * Stops lending, once both sides are done with TLS (or the TLS layer is torn down): the socket is
   * paused with the lease's listeners removed, ready for plaintext reading.
   */
  private giveBack(force = false): void {
    if (this.returned || !this.clearing) return;
    if (!force && !(this.peerDone && this.ownDone)) return;
    this.returned = true;
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onClose);
    this.socket.pause();
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    this.onReturn?.(rest);
  }
}
