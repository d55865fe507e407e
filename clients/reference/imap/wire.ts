import type { Duplex } from 'node:stream';

/** The connection ended before a complete response (a truncated literal, a BYE and a close). */
export class Closed extends Error {}

/** Longest response line accepted from the server; literals carry anything longer (RFC 9051 §4.3). */
const MAX_LINE = 64 * 1024;
/** Largest literal accepted: a message, with room to spare. */
const MAX_LITERAL = 64 * 1024 * 1024;

/** One server response, its literals taken out (RFC 9051 §2.2.2, §4.3). */
export interface RawResponse {
  /** The lines of the response without their CRLFs, each ending, but the last, in a literal's announcement. */
  lines: string[];
  literals: Buffer[];
  /** A literal cut short by the end of the connection (only when its reader accepts that). */
  truncated: boolean;
}

export interface ReadOptions {
  /** Take a connection closed inside a literal as the literal's end (the imap-accept-truncated-literal flaw). */
  acceptTruncated?: boolean;
  /** Read a literal line by line up to a line that closes the response, not by its octet count (the imap-literal-by-lines flaw). */
  literalByLines?: boolean;
}

/**
 * The reference client's view of an IMAP connection: bytes in, responses out,
 * a literal read by its octet count. It can be detached from its stream at a
 * TLS upgrade, handing over whatever it had received and not yet read, so
 * that the caller decides what to do with those bytes (RFC 9051 §6.2.1: nothing).
 */
export class ImapWire {
  private buffer: Buffer = Buffer.alloc(0);
  private ended = false;
  private failure: Error | undefined;
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
  ) {
    if (initial?.length) this.buffer = initial;
    stream.on('data', this.onData);
    stream.once('end', this.onEnd);
    stream.once('close', this.onEnd);
    stream.on('error', this.onError);
  }

  write(text: string): void {
    this.stream.write(Buffer.from(text, 'latin1'));
  }

  /** A whole line was received and not yet read: a response can be read without waiting for the server. */
  get lineWaiting(): boolean {
    return this.buffer.includes(0x0a);
  }

  /** The next response, its literals read whole (or as the options relax it). */
  async response(opts: ReadOptions = {}): Promise<RawResponse> {
    const lines: string[] = [];
    const literals: Buffer[] = [];
    for (;;) {
      const line = await this.line();
      lines.push(line);
      const announced = /\{(\d{1,10})\}$/.exec(line);
      if (!announced) return { lines, literals, truncated: false };
      const size = Number(announced[1]);
      if (size > MAX_LITERAL) throw new Error(`the server announced a literal of ${size} octets`);
      if (opts.literalByLines) {
        literals.push(await this.linesUntilClose());
        // The flawed reader takes the closing line as the rest of the response.
        lines.push(')');
        return { lines, literals, truncated: false };
      }
      const got = await this.bytes(size, opts.acceptTruncated ?? false);
      literals.push(got);
      if (got.length < size) return { lines, literals, truncated: true };
    }
  }

  /** The next line as text (latin1), without its ending; throws Closed if the connection ends first. */
  async line(): Promise<string> {
    for (;;) {
      const lf = this.buffer.indexOf(0x0a);
      if (lf >= 0) {
        const end = lf > 0 && this.buffer[lf - 1] === 0x0d ? lf - 1 : lf;
        const line = this.buffer.toString('latin1', 0, end);
        this.buffer = this.buffer.subarray(lf + 1);
        return line;
      }
      if (this.buffer.length > MAX_LINE) throw new Error(`the server sent a line over ${MAX_LINE} bytes`);
      if (this.ended)
        throw new Closed(
          `the connection closed${this.failure ? ` (${this.failure.message})` : ''} before a complete response`,
        );
      await this.waitForBytes();
    }
  }

  /** Exactly `n` octets; a close first is Closed, unless `acceptShort`, which returns what came. */
  private async bytes(n: number, acceptShort: boolean): Promise<Buffer> {
    while (this.buffer.length < n) {
      if (this.ended) {
        if (acceptShort) return this.takeRest();
        throw new Closed(`the connection closed after ${this.buffer.length} of a literal's ${n} octets`);
      }
      await this.waitForBytes();
    }
    const out = this.buffer.subarray(0, n);
    this.buffer = this.buffer.subarray(n);
    return out;
  }

  /** The imap-literal-by-lines flaw: lines, each with its CRLF, up to one that is ")" alone. */
  private async linesUntilClose(): Promise<Buffer> {
    const parts: string[] = [];
    for (let line = await this.line(); line !== ')' && !line.endsWith(')'); line = await this.line())
      parts.push(`${line}\r\n`);
    return Buffer.from(parts.join(''), 'latin1');
  }

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

  private waitForBytes(): Promise<void> {
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
