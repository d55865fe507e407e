/**
 * Reads one HTTP/1.1 response from bytes, strictly: the body ends where its
 * framing says (Content-Length, chunked), and an early end is a truncation,
 * not a shorter body (RFC 9112 §6.3, §8).
 */
import { ChunkedDecoder } from './chunked.js';

export class TruncatedError extends Error {
  readonly code = 'TRUNCATED';
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

type Framing = { kind: 'length'; length: number } | { kind: 'chunked'; decoder: ChunkedDecoder } | { kind: 'close' };

export class ResponseReader {
  /** Bytes before the end of the head (small: concatenated as they come). */
  private headBuf = Buffer.alloc(0);
  /** Body bytes, kept as received so a large body is copied once, not once per chunk. */
  private chunks: Buffer[] = [];
  private size = 0;
  private head?: { status: number; headers: Record<string, string>; framing: Framing };
  private done?: HttpResponse;

  /** @param lenient treat any end of the connection as the end of the body (a flaw). */
  constructor(private readonly lenient = false) {}

  /** Feed bytes; returns the response once complete. */
  push(chunk: Buffer): HttpResponse | undefined {
    if (this.done) return this.done;
    if (this.head) return this.take(chunk);
    this.headBuf = Buffer.concat([this.headBuf, chunk]);
    for (;;) {
      const end = this.headBuf.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const head = parseHead(this.headBuf.toString('latin1', 0, end).split('\r\n'));
      this.headBuf = this.headBuf.subarray(end + 4);
      // RFC 9110 §15.2: "A client MUST be able to parse one or more 1xx responses received prior to a
      // final response, even if the client does not expect one." An interim response has no body.
      if (head.status >= 200) {
        this.head = head;
        return this.take(this.headBuf);
      }
    }
  }

  /** Body bytes: framed as the head says, complete once the framing says so. */
  private take(bytes: Buffer): HttpResponse | undefined {
    const { status, headers, framing } = this.head!;
    if (framing.kind === 'chunked') {
      if (framing.decoder.push(bytes)) this.done = { status, headers, body: framing.decoder.body() };
      return this.done;
    }
    this.chunks.push(bytes);
    this.size += bytes.length;
    if (framing.kind === 'length' && this.size >= framing.length)
      this.done = { status, headers, body: this.body().subarray(0, framing.length) };
    return this.done;
  }

  private body(): Buffer {
    if (this.chunks.length > 1) this.chunks = [Buffer.concat(this.chunks)];
    return this.chunks[0] ?? Buffer.alloc(0);
  }

  /**
   * The connection ended: complete if the framing allows it, else a truncation.
   * @param clean the end was authenticated (TLS close_notify); a close-delimited
   *   body that ends otherwise may have been cut by an attacker.
   */
  end(clean = true): HttpResponse {
    if (this.done) return this.done;
    if (!this.head) throw new TruncatedError('the connection ended before the response head');
    const { status, headers, framing } = this.head;
    if (framing.kind === 'close' && !clean && !this.lenient) {
      throw new TruncatedError('close-delimited body ended without TLS close_notify');
    }
    if (framing.kind === 'close' || this.lenient) {
      return { status, headers, body: framing.kind === 'chunked' ? framing.decoder.body() : this.body() };
    }
    throw new TruncatedError(
      framing.kind === 'length'
        ? `body truncated: ${this.size} of ${framing.length} bytes`
        : 'chunked body truncated before its last chunk',
    );
  }
}

/** The status line and header fields; throws on a status line or framing that cannot be read. */
function parseHead(lines: string[]): { status: number; headers: Record<string, string>; framing: Framing } {
  // RFC 9112 §4: status-line = HTTP-version SP status-code SP [ reason-phrase ]; status-code = 3DIGIT.
  const status = /^HTTP\/1\.[01] (\d{3})(?: |$)/.exec(lines[0] ?? '');
  if (!status) throw new Error(`not an HTTP response: ${(lines[0] ?? '').slice(0, 60)}`);
  const headers: Record<string, string> = {};
  const lengths: string[] = [];
  for (const line of lines.slice(1)) {
    const i = line.indexOf(':');
    if (i <= 0) continue;
    const name = line.slice(0, i).trim().toLowerCase();
    headers[name] = line.slice(i + 1).trim();
    if (name === 'content-length') lengths.push(headers[name]);
  }
  const framing: Framing = /chunked/i.test(headers['transfer-encoding'] ?? '')
    ? { kind: 'chunked', decoder: new ChunkedDecoder() }
    : lengths.length
      ? { kind: 'length', length: contentLength(lengths) }
      : { kind: 'close' };
  return { status: Number(status[1]), headers, framing };
}

/**
 * RFC 9112 §6.3: "If a message is received without Transfer-Encoding and with
 * an invalid Content-Length header field, then the message framing is invalid
 * and the recipient MUST treat it as an unrecoverable error, unless the field
 * value can be successfully parsed as a comma-separated list [...], all values
 * in the list are valid, and all values in the list are the same".
 * Content-Length = 1*DIGIT (RFC 9110 §8.6).
 */
function contentLength(fields: readonly string[]): number {
  const values = fields.flatMap((f) => f.split(',')).map((v) => v.trim());
  if (
    !values.every((v) => /^\d+$/.test(v)) ||
    new Set(values.map(Number)).size !== 1 ||
    !Number.isSafeInteger(Number(values[0]))
  ) {
    throw new Error(`invalid Content-Length: ${JSON.stringify(fields.join(', ').slice(0, 60))}`);
  }
  return Number(values[0]);
}
