import type { Socket } from 'node:net';
import { preview, type EventLog, type RecordedEvent } from './events.js';
import { redactCommandLine } from './redact.js';
import { isRecordHeader, TlsRecordScanner } from './tls-records.js';

/**
 * Reads a protocol's meaning into plaintext lines found where TLS records
 * belonged: commands and credentials, recorded as crossing in plaintext. Only
 * `command` and `credentials` events are kept from what it returns.
 */
export type PlaintextParser = (line: string) => RecordedEvent[];

/** Plaintext kept per connection: enough for a session's worth of commands, bounded against floods. */
const MAX_PLAINTEXT = 64 * 1024;
/** Lines parsed per connection. */
const MAX_LINES = 200;
/** After a failed handshake with plaintext in it, how long a quiet client is still listened to. */
export const LINGER_MS = 300;

/**
 * Watches the raw bytes a client sends from its ClientHello on, beneath TLS.
 * Wherever they stop being TLS records (in the handshake, behind it, after an
 * alert), the rest is plaintext: recorded once as `plaintext-after-hello`, and
 * line by line through the protocol's parser, so the judge's generic checks (no
 * credentials, no commands in plaintext) see what a desynchronised client leaked.
 */
export class PlaintextTap {
  private readonly scanner = new TlsRecordScanner();
  private pending = '';
  private kept = 0;
  private lines = 0;
  private recorded = false;
  private closed = false;
  private lastByte = 0;
  private readonly onData = (chunk: Buffer): void => this.take(this.scanner.push(chunk));
  private readonly onClose = (): void => {
    this.closed = true;
    this.take(this.scanner.end());
    this.flush();
  };

  constructor(
    private readonly socket: Socket,
    private readonly at: { log: EventLog; server: string; conn: number },
    private readonly parse?: PlaintextParser,
  ) {
    socket.on('data', this.onData);
    socket.once('close', this.onClose);
  }

  /** Stops watching: TLS was shut down on purpose (FTP's CCC) and the plaintext after it is the session's own. */
  stop(): void {
    this.socket.off('data', this.onData);
    this.socket.off('close', this.onClose);
  }

  /** Plaintext was seen after the ClientHello. */
  get seen(): boolean {
    return this.scanner.plaintext;
  }

  /**
   * After a failed handshake: if the client was talking plaintext, keep reading
   * until it has been quiet for LINGER_MS or hangs up, so a command it sends
   * after the failure is seen too. Resolves at once otherwise.
   */
  async linger(): Promise<void> {
    if (!this.seen || this.closed || this.socket.destroyed) return;
    this.socket.resume();
    this.lastByte = performance.now();
    while (!this.closed && !this.socket.destroyed && performance.now() - this.lastByte < LINGER_MS) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    this.flush();
  }

  private take(plain: Buffer): void {
    if (!plain.length || this.kept >= MAX_PLAINTEXT) return;
    this.lastByte = performance.now();
    const bytes = plain.subarray(0, MAX_PLAINTEXT - this.kept);
    this.kept += bytes.length;
    if (!this.recorded) {
      this.recorded = true;
      this.at.log.record(this.at.server, 'plaintext-after-hello', { preview: leakPreview(bytes) }, this.at.conn);
    }
    if (!this.parse) return;
    this.pending += bytes.toString('latin1');
    let nl: number;
    while ((nl = this.pending.indexOf('\n')) >= 0) {
      const line = this.pending.slice(0, nl).replace(/\r$/, '');
      this.pending = this.pending.slice(nl + 1);
      this.parseLine(line);
    }
  }

  /** A last line without its line ending still counts once the client stops. */
  private flush(): void {
    const line = this.pending;
    this.pending = '';
    if (line) this.parseLine(line);
  }

  private parseLine(line: string): void {
    if (!this.parse || this.lines++ >= MAX_LINES) return;
    for (const e of plaintextEvents(this.parse, line))
      this.at.log.record(this.at.server, e.type, e.fields as never, this.at.conn);
  }
}

/** The commands and credentials a parser reads in one plaintext line, marked as crossing in plaintext whatever layer the protocol believes it is in. */
export function plaintextEvents(parse: PlaintextParser, line: string): RecordedEvent[] {
  return parse(line)
    .filter((e) => e.type === 'command' || e.type === 'credentials')
    .map((e) => ({ ...e, fields: { ...e.fields, layer: 'plaintext' } }) as RecordedEvent);
}

/**
 * The preview of plaintext sent behind a ClientHello: its lines, up to a TLS
 * record that opens a line (the client's next handshake flight, when it came
 * in the same read), so the evidence reads the same however the bytes were
 * split on the way; never a secret.
 */
export function leakPreview(bytes: Buffer): string {
  let end = bytes.length;
  for (let at = bytes.indexOf(0x0a); at >= 0 && at + 6 <= bytes.length; at = bytes.indexOf(0x0a, at + 1)) {
    if (isRecordHeader(bytes.subarray(at + 1, at + 6))) {
      end = at + 1;
      break;
    }
  }
  return preview(redactLines(bytes.subarray(0, end)));
}

/** The preview never shows a secret: each line is redacted as command lines are (the parser records credentials properly). */
export function redactLines(bytes: Buffer): Buffer {
  // The last line's end says nothing (a line-reading server's preview shows none either).
  const text = bytes.toString('latin1').replace(/\r?\n$/, '');
  return Buffer.from(
    text
      .split('\n')
      .map((l) => redactCommandLine(l.replace(/\r$/, '')))
      .join('\n'),
    'latin1',
  );
}
