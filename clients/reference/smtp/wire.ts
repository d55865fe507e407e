import type { Duplex } from 'node:stream';
import { Refused } from '../tls.js';

/** One SMTP reply (RFC 5321 §4.2): a code and the text of each line. */
export interface Reply {
  code: number;
  lines: string[];
}

const REPLY_LINE = /^(\d{3})([ -]|$)(.*)$/;

/**
 * The reference client's side of an SMTP connection: writes commands and reads
 * complete replies, strictly (a multi-line reply ends only at its "NNN " line;
 * anything else is a protocol error). It can be detached from its socket at a
 * STARTTLS go-ahead, handing back whatever it had received and not consumed.
 */
export class SmtpWire {
  private buffer: Buffer;
  private pending: { resolve: (r: Reply) => void; reject: (e: Error) => void } | undefined;
  private failure: Error | undefined;
  private partial: string[] = [];
  private detached = false;
  private readonly onData = (chunk: Buffer): void => {
    this.buffer = Buffer.concat([this.buffer, chunk]);
    this.pump();
  };
  private readonly onEnd = (): void => this.fail(new Refused('the server closed the connection'));
  private readonly onError = (err: Error): void => this.fail(new Refused(`connection error: ${err.message}`));

  /**
   * @param secure the socket is a TLS socket
   * @param lenient the accept-partial-reply flaw: a reply cut short by the end of the connection counts
   * @param initial bytes to read before the socket's own (only the keep-pre-tls-buffer flaw passes any)
   */
  constructor(
    readonly socket: Duplex,
    readonly secure: boolean,
    private readonly lenient: boolean,
    initial: Buffer = Buffer.alloc(0),
  ) {
    this.buffer = initial;
    socket.on('data', this.onData);
    socket.once('end', this.onEnd);
    socket.once('close', this.onEnd);
    socket.on('error', this.onError);
  }

  /** Still attached to a live socket (not handed over to TLS, not destroyed). */
  get usable(): boolean {
    return !this.detached && !this.socket.destroyed;
  }

  send(text: string | Buffer): void {
    this.socket.write(text);
  }

  command(line: string): Promise<Reply> {
    this.send(`${line}\r\n`);
    return this.read();
  }

  read(): Promise<Reply> {
    if (this.pending) return Promise.reject(new Error('two reads at once'));
    return new Promise((resolve, reject) => {
      this.pending = { resolve, reject };
      this.pump();
      if (this.failure && this.pending) this.fail(this.failure);
    });
  }

  /**
   * Drops whatever was received and not consumed, and says how many bytes that
   * was: lines that came before the command they would answer was even sent.
   */
  discardUnread(): number {
    const dropped = this.buffer.length + this.partial.reduce((n, l) => n + l.length + 2, 0);
    this.buffer = Buffer.alloc(0);
    this.partial = [];
    return dropped;
  }

  /** Stops reading the socket (for the TLS handshake) and returns the bytes received but not consumed. */
  detach(): Buffer {
    this.detached = true;
    this.socket.off('data', this.onData);
    this.socket.off('end', this.onEnd);
    this.socket.off('close', this.onEnd);
    this.socket.off('error', this.onError);
    this.socket.pause();
    const rest = Buffer.concat([Buffer.from(this.partial.map((l) => `${l}\r\n`).join(''), 'latin1'), this.buffer]);
    this.buffer = Buffer.alloc(0);
    this.partial = [];
    return rest;
  }

  private pump(): void {
    for (;;) {
      if (!this.pending) return;
      const lf = this.buffer.indexOf(0x0a);
      if (lf < 0) return;
      const line = this.buffer.toString('latin1', 0, lf).replace(/\r$/, '');
      this.buffer = this.buffer.subarray(lf + 1);
      const m = REPLY_LINE.exec(line);
      if (!m || (this.partial.length && !this.partial[0]!.startsWith(m[1]!))) {
        this.fail(new Refused(`not an SMTP reply line: ${JSON.stringify(line.slice(0, 60))}`));
        return;
      }
      this.partial.push(line);
      if (m[2] !== '-') this.deliver();
    }
  }

  private deliver(): void {
    const lines = this.partial;
    this.partial = [];
    const pending = this.pending!;
    this.pending = undefined;
    pending.resolve({ code: Number(lines[0]!.slice(0, 3)), lines: lines.map((l) => l.slice(4)) });
  }

  private fail(err: Error): void {
    this.failure ??= err;
    if (!this.pending) return;
    if (this.lenient && this.partial.length) return this.deliver();
    const pending = this.pending;
    this.pending = undefined;
    pending.reject(err);
  }
}
