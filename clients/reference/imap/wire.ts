import type { Duplex } from 'node:stream';

import { LineWire } from '../line-wire.js';

/** The connection ended before a complete response (a truncated literal, a BYE and a close). */
export { Closed } from '../line-wire.js';

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
 * The reference client's view of an IMAP connection: the shared line wire
 * (bytes in, lines out, detached at a TLS upgrade with what was received and
 * not read handed over: RFC 9051 §6.2.1 says to use none of it), read as
 * responses whose literals come by their octet count.
 */
export class ImapWire extends LineWire {
  constructor(stream: Duplex, signal: AbortSignal, initial?: Buffer) {
    super(stream, signal, initial, MAX_LINE);
  }

  override write(text: string): void {
    this.stream.write(Buffer.from(text, 'latin1'));
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

  /** The imap-literal-by-lines flaw: lines, each with its CRLF, up to one that is ")" alone. */
  private async linesUntilClose(): Promise<Buffer> {
    const parts: string[] = [];
    for (let line = await this.line(); line !== ')' && !line.endsWith(')'); line = await this.line())
      parts.push(`${line}\r\n`);
    return Buffer.from(parts.join(''), 'latin1');
  }
}
