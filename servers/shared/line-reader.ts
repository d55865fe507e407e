/**
 * A bounded line splitter, fed bytes, with no socket in it. Protocol machines
 * use it so that a client sending an endless line costs a fixed amount of
 * memory and gets a clear error instead of exhausting the server.
 */
export class LineTooLongError extends Error {
  readonly code = 'LINE_TOO_LONG';
  constructor(readonly limit: number) {
    super(`line longer than ${limit} bytes`);
  }
}

export class LineReader {
  private pending: Buffer = Buffer.alloc(0);

  /** @param maxLine longest line accepted, without its ending (default 8192). */
  constructor(private readonly maxLine = 8192) {}

  /** Feed bytes; returns each complete line without CRLF/LF. Throws LineTooLongError. */
  push(chunk: Buffer): string[] {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const lines: string[] = [];
    let start = 0;
    for (;;) {
      const lf = this.pending.indexOf(0x0a, start);
      if (lf < 0) break;
      const end = lf > start && this.pending[lf - 1] === 0x0d ? lf - 1 : lf;
      if (end - start > this.maxLine) throw new LineTooLongError(this.maxLine);
      lines.push(this.pending.toString('latin1', start, end));
      start = lf + 1;
    }
    this.pending = this.pending.subarray(start);
    if (this.pending.length > this.maxLine) throw new LineTooLongError(this.maxLine);
    return lines;
  }

  /** Bytes received after the last complete line (e.g. pipelined before a TLS upgrade). */
  takeRest(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}
