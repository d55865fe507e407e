/**
 * The chunked transfer coding (RFC 9112 §7.1), decoded as bytes arrive:
 *
 *   chunked-body = *chunk last-chunk trailer-section CRLF
 *   chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 *
 * Strict: CRLF line ends only, chunk-size 1*HEXDIG, CRLF after each chunk's
 * data. Extensions are ignored (§7.1.1: "A recipient MUST ignore unrecognized
 * chunk extensions"), trailer fields read past and dropped (§7.1.2).
 */

/** A chunk-size line: hex digits, optional whitespace (RFC 9112 errata 4667's BWS), optional extensions. */
const SIZE_LINE = /^([0-9A-Fa-f]+)[ \t]*(?:;.*)?$/;

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

export class ChunkedDecoder {
  /** Bytes received and not yet decoded (a size line or trailer field still without its CRLF). */
  private pending: Buffer = Buffer.alloc(0);
  /** Chunk data, as subarrays of what arrived (copied once, when the body is asked for). */
  private parts: Buffer[] = [];
  private state: State = 'size';
  /** Data bytes still to come in the current chunk. */
  private left = 0;

  /** The last chunk and the trailer section have been read. */
  get complete(): boolean {
    return this.state === 'done';
  }

  /** The data decoded so far (all of it once complete). */
  body(): Buffer {
    if (this.parts.length > 1) this.parts = [Buffer.concat(this.parts)];
    return this.parts[0] ?? Buffer.alloc(0);
  }

  /** Decodes what it can of `chunk`; throws on a framing error. Returns whether the body is complete. */
  push(chunk: Buffer): boolean {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    while (this.state !== 'done' && this.step());
    return this.complete;
  }

  /** One step of decoding; false when it needs more bytes. */
  private step(): boolean {
    if (this.state === 'data') {
      const n = Math.min(this.left, this.pending.length);
      if (n === 0) return false;
      this.parts.push(this.pending.subarray(0, n));
      this.pending = this.pending.subarray(n);
      this.left -= n;
      if (this.left === 0) this.state = 'data-end';
      return true;
    }
    if (this.state === 'data-end') {
      if (this.pending.length < 2) return false;
      if (this.pending[0] !== 0x0d || this.pending[1] !== 0x0a) throw new Error('chunk data not followed by CRLF');
      this.pending = this.pending.subarray(2);
      this.state = 'size';
      return true;
    }
    const eol = this.pending.indexOf('\r\n');
    if (eol < 0) return false;
    const line = this.pending.toString('latin1', 0, eol);
    this.pending = this.pending.subarray(eol + 2);
    if (this.state === 'trailer') {
      // A trailer field is skipped; the blank line ends the body.
      if (line === '') this.state = 'done';
      return true;
    }
    const m = SIZE_LINE.exec(line);
    const size = m ? parseInt(m[1]!, 16) : NaN;
    if (!Number.isSafeInteger(size)) throw new Error('bad chunk size');
    this.left = size;
    this.state = size === 0 ? 'trailer' : 'data';
    return true;
  }
}
