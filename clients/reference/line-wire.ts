import type { Duplex } from 'node:stream';

/** The connection ended before a complete reply (a truncated CAPA, RETR or listing). */
export class Closed extends Error {}

/** Longest line accepted from the server (RFC 1939 §3 says 512 octets for replies; message lines run longer). */
const MAX_LINE = 1 << 20;

/**
 * The reference client's view of a line protocol's connection (POP3, FTP's
 * control connection, IMAP): bytes in, lines out, with no interpretation. It can be detached from its stream at a TLS upgrade,
 * handing over whatever it had received and not yet read, so that the caller
 * decides what to do with those bytes (RFC 2595 §4: nothing).
 */
export class LineWire {
  protected buffer: Buffer = Buffer.alloc(0);
  protected ended = false;
  protected failure: Error | undefined;
  private wake: (() => void) | undefined;
  private readonly onData = (chunk: Buffer): void => {
    this.buffer = this.buffer.length ? Buffer.concat([this.buffer, chunk]) : chunk;
    this.wake?.();
  };
  private readonly onEnd = (): void => {
    this.ended = true;
    this.wake?.();
  };
  private readonly onError = (err: Error): void => {
    this.failure = err;
    this.onEnd();
  };

  constructor(
    readonly stream: Duplex,
    private readonly signal: AbortSignal,
    initial?: Buffer,
    /** Longest line accepted (a protocol whose long data comes otherwise, as IMAP's literals, sets less). */
    private readonly maxLine = MAX_LINE,
  ) {
    if (initial?.length) this.buffer = initial;
    stream.on('data', this.onData);
    stream.once('end', this.onEnd);
    stream.once('close', this.onEnd);
    stream.on('error', this.onError);
  }

  write(text: string): void {
    this.stream.write(text);
  }

  /** The next line, with its line ending; throws Closed if the connection ends first. */
  async rawLine(): Promise<Buffer> {
    for (;;) {
      const lf = this.buffer.indexOf(0x0a);
      // The limit holds whether or not the line's end came in the same read as its excess.
      if (lf > this.maxLine) throw new Error(`the server sent a line over ${this.maxLine} bytes`);
      if (lf >= 0) {
        const line = this.buffer.subarray(0, lf + 1);
        this.buffer = this.buffer.subarray(lf + 1);
        return line;
      }
      if (this.buffer.length > this.maxLine) throw new Error(`the server sent a line over ${this.maxLine} bytes`);
      if (this.ended)
        throw new Closed(
          `the connection closed${this.failure ? ` (${this.failure.message})` : ''} before a complete line`,
        );
      await this.waitForBytes();
    }
  }

  /** The next line as text, without its ending. */
  async line(): Promise<string> {
    return withoutEnding(await this.rawLine()).toString('latin1');
  }

  /** A whole line was received and not yet read: it can be read without waiting for the server. */
  get lineWaiting(): boolean {
    return this.buffer.includes(0x0a);
  }

  /** Exactly `n` octets; a close first is Closed, unless `acceptShort`, which returns what came. */
  async bytes(n: number, acceptShort = false): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.ended) {
        if (acceptShort) return this.takeRest();
        throw new Closed(`the connection closed after ${this.buffer.length} of ${n} octets`);
      }
      await this.waitForBytes();
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  /** Bytes received and not yet read (a truncated reply's last piece). */
  takeRest(): Buffer {
    const rest = this.buffer;
    this.buffer = Buffer.alloc(0);
    return rest;
  }

  /** Stops reading from the stream, for a TLS upgrade; returns what was received and not read. */
  detach(): Buffer {
    this.stream.off('data', this.onData);
    this.stream.off('end', this.onEnd);
    this.stream.off('close', this.onEnd);
    this.stream.off('error', this.onError);
    this.stream.pause();
    return this.takeRest();
  }

  close(): void {
    this.stream.destroy();
  }

  protected waitForBytes(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onAbort = (): void => {
        this.wake = undefined;
        this.stream.destroy();
        reject(new Error('timed out waiting for the server'));
      };
      if (this.signal.aborted) return onAbort();
      this.signal.addEventListener('abort', onAbort, { once: true });
      this.wake = () => {
        this.wake = undefined;
        this.signal.removeEventListener('abort', onAbort);
        resolve();
      };
    });
  }
}

/** A line without its CRLF (or bare LF). */
export function withoutEnding(line: Buffer): Buffer {
  let end = line.length;
  if (line[end - 1] === 0x0a) end--;
  if (line[end - 1] === 0x0d) end--;
  return line.subarray(0, end);
}
