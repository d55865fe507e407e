/**
 * Reads one HTTP/1.1 response from bytes, strictly: the body ends where its
 * framing says (Content-Length, chunked), and an early end is a truncation,
 * not a shorter body (RFC 9112 §6.3, §8).
 */
export class TruncatedError extends Error {
  readonly code = 'TRUNCATED';
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: Buffer;
}

type Framing = { kind: 'length'; length: number } | { kind: 'chunked' } | { kind: 'close' };

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
    if (this.head) {
      this.chunks.push(chunk);
      this.size += chunk.length;
      return this.tryComplete(chunk);
    }
    this.headBuf = Buffer.concat([this.headBuf, chunk]);
    {
      const end = this.headBuf.indexOf('\r\n\r\n');
      if (end < 0) return undefined;
      const lines = this.headBuf.toString('latin1', 0, end).split('\r\n');
      const status = /^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '');
      if (!status) throw new Error(`not an HTTP response: ${(lines[0] ?? '').slice(0, 60)}`);
      const headers: Record<string, string> = {};
      for (const line of lines.slice(1)) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const framing: Framing = /chunked/i.test(headers['transfer-encoding'] ?? '')
        ? { kind: 'chunked' }
        : headers['content-length'] !== undefined
          ? { kind: 'length', length: Number(headers['content-length']) }
          : { kind: 'close' };
      this.head = { status: Number(status[1]), headers, framing };
      const rest = this.headBuf.subarray(end + 4);
      this.chunks.push(rest);
      this.size = rest.length;
    }
    return this.tryComplete(undefined);
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
    if (this.head.framing.kind === 'close' && !clean && !this.lenient) {
      throw new TruncatedError('close-delimited body ended without TLS close_notify');
    }
    if (this.head.framing.kind === 'close' || this.lenient) {
      const body = this.head.framing.kind === 'chunked' ? this.dechunk(true)?.body ?? Buffer.alloc(0) : this.body();
      return { status: this.head.status, headers: this.head.headers, body };
    }
    const { framing } = this.head;
    throw new TruncatedError(
      framing.kind === 'length' ? `body truncated: ${this.size} of ${framing.length} bytes` : 'chunked body truncated before its last chunk',
    );
  }

  /** @param last the chunk just received; a chunked body is only parsed once it may have ended. */
  private tryComplete(last: Buffer | undefined): HttpResponse | undefined {
    const head = this.head!;
    if (head.framing.kind === 'length' && this.size >= head.framing.length) {
      this.done = { status: head.status, headers: head.headers, body: this.body().subarray(0, head.framing.length) };
    } else if (head.framing.kind === 'chunked' && (!last || this.mayEndChunked())) {
      const r = this.dechunk(false);
      if (r?.complete) this.done = { status: head.status, headers: head.headers, body: r.body };
    }
    return this.done;
  }

  /** The last-chunk marker can only be at the very end of what arrived so far. */
  private mayEndChunked(): boolean {
    const tail = Buffer.concat(this.chunks.slice(-2));
    return tail.subarray(-5).toString('latin1') === '0\r\n\r\n';
  }

  private dechunk(partialOk: boolean): { body: Buffer; complete: boolean } | undefined {
    const buf = this.body();
    const parts: Buffer[] = [];
    let off = 0;
    for (;;) {
      const eol = buf.indexOf('\r\n', off);
      if (eol < 0) return partialOk ? { body: Buffer.concat(parts), complete: false } : undefined;
      const size = parseInt(buf.toString('latin1', off, eol), 16);
      if (Number.isNaN(size)) throw new Error('bad chunk size');
      if (size === 0) return { body: Buffer.concat(parts), complete: true };
      if (buf.length < eol + 2 + size + 2) {
        if (partialOk) parts.push(buf.subarray(eol + 2, Math.min(buf.length, eol + 2 + size)));
        return partialOk ? { body: Buffer.concat(parts), complete: false } : undefined;
      }
      parts.push(buf.subarray(eol + 2, eol + 2 + size));
      off = eol + 2 + size + 2;
    }
  }
}
