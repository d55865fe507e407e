/** The FTP control connection of the reference client: replies (RFC 959 §4.2) over a line wire. */
import type { Duplex } from 'node:stream';
import { LineWire } from '../line-wire.js';

/** A reply: its three-digit code and its text lines. */
export interface FtpReply {
  code: number;
  text: string;
}

/** The server answered with a code the step cannot go on with. */
export class ServerRefused extends Error {
  constructor(
    readonly step: string,
    readonly reply: FtpReply,
  ) {
    super(`${step}: the server answered ${reply.code} ${reply.text}`);
  }
}

/** A line wire (the one the POP3 client uses: bytes in, lines out, detachable at an upgrade). */
export class FtpControl {
  constructor(public wire: LineWire) {}

  static over(stream: Duplex, signal: AbortSignal, initial?: Buffer): FtpControl {
    return new FtpControl(new LineWire(stream, signal, initial));
  }

  /** RFC 959 §4.2: "ddd-" opens a multi-line reply that ends at the line starting "ddd ". */
  async reply(): Promise<FtpReply> {
    const first = await this.wire.line();
    const m = /^(\d{3})([ -])(.*)$/.exec(first);
    if (!m) throw new Error(`not an FTP reply: ${JSON.stringify(first.slice(0, 80))}`);
    const lines = [m[3]!];
    if (m[2] === '-') {
      for (;;) {
        const next = await this.wire.line();
        if (next.startsWith(`${m[1]} `)) {
          lines.push(next.slice(4));
          break;
        }
        lines.push(next);
      }
    }
    return { code: Number(m[1]), text: lines.join('\n') };
  }

  async send(line: string): Promise<FtpReply> {
    this.wire.write(`${line}\r\n`);
    return this.reply();
  }

  /** Sends and requires a positive completion (2xx) or, with `ok`, one of the given codes. */
  async must(
    line: string,
    step: string,
    ok: (code: number) => boolean = (c) => c >= 200 && c < 300,
  ): Promise<FtpReply> {
    const r = await this.send(line);
    if (!ok(r.code)) throw new ServerRefused(step, r);
    return r;
  }
}
