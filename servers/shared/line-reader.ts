/**
 * A bounded line splitter, fed bytes, with no socket in it. Protocol machines
 * take one line at a time, so that at an upgrade command (STARTTLS) they can
 * stop and hand every byte after it, complete lines included, to the TLS
 * upgrade as evidence of pipelining. A client sending an endless line costs a
 * fixed amount of memory and gets a clear error.
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

  /** Feed bytes. Throws LineTooLongError when no line ending comes within the limit. */
  push(chunk: Buffer): void {
    this.pending = this.pending.length ? Buffer.concat([this.pending, chunk]) : chunk;
    const lf = this.pending.indexOf(0x0a);
    if ((lf < 0 ? this.pending.length : lf) > this.maxLine + 1) throw new LineTooLongError(this.maxLine);
  }

  /** The next complete line, without CRLF or LF, or undefined until one arrives. */
  next(): string | undefined {
    const lf = this.pending.indexOf(0x0a);
    if (lf < 0) return undefined;
    const end = lf > 0 && this.pending[lf - 1] === 0x0d ? lf - 1 : lf;
    if (end > this.maxLine) throw new LineTooLongError(this.maxLine);
    const line = this.pending.toString('latin1', 0, end);
    this.pending = this.pending.subarray(lf + 1);
    return line;
  }

  /** Every complete line available now. */
  lines(): string[] {
    const out: string[] = [];
    for (let line = this.next(); line !== undefined; line = this.next()) out.push(line);
    return out;
  }

  /** How many bytes wait, not yet taken as lines. */
  get buffered(): number {
    return this.pending.length;
  }

  /** All bytes not yet taken as lines (e.g. pipelined before a TLS upgrade). */
  takeRest(): Buffer {
    const rest = this.pending;
    this.pending = Buffer.alloc(0);
    return rest;
  }
}
