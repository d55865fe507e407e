/**
 * POP3 replies as the reference client reads them (RFC 1939 §3, RFC 2449 §5):
 * status lines, strict multi-line replies with byte-unstuffing, CAPA.
 */
import { Closed, type LineWire, withoutEnding } from '../line-wire.js';

/** The server answered -ERR where the client needed +OK (greeting, login, RETR). */
export class ServerRefused extends Error {}

export interface Reply {
  ok: boolean;
  text: string;
}

/** Capabilities by keyword (upper case), with their arguments (RFC 2449 §5). */
export type Capabilities = ReadonlyMap<string, readonly string[]>;

function shown(line: string): string {
  return JSON.stringify(line.length > 80 ? `${line.slice(0, 80)}…` : line);
}

/** A status line: "+OK" or "-ERR"; anything else is a protocol error. */
export async function reply(wire: LineWire): Promise<Reply> {
  const line = await wire.line();
  if (/^\+OK(\s|$)/.test(line)) return { ok: true, text: line.slice(4) };
  if (/^-ERR(\s|$)/.test(line)) return { ok: false, text: line.slice(5) };
  throw new Error(`not a POP3 status line: ${shown(line)}`);
}

export async function command(wire: LineWire, line: string): Promise<Reply> {
  wire.write(`${line}\r\n`);
  return reply(wire);
}

/** A command that must succeed; `what` names it in the error (never the secret it carries). */
export async function mustSucceed(wire: LineWire, line: string, what: string): Promise<void> {
  const r = await command(wire, line);
  if (!r.ok) throw new ServerRefused(`the server refused ${what}: -ERR ${r.text}`);
}

export interface MultilineOptions {
  /** Take away the leading dot of stuffed lines (RFC 1939 §3); the pop3-no-unstuffing flaw does not. */
  unstuff: boolean;
  /** Take a close before the "." line as the end (the pop3-accept-truncated-retr flaw). */
  acceptTruncated: boolean;
}

/**
 * The body of a multi-line reply, byte for byte, each line with its own
 * ending: it ends at a line that is exactly "."; a close before it is a
 * truncation and an error (RFC 1939 §3).
 */
export async function multiline(wire: LineWire, opts: MultilineOptions): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    let raw: Buffer;
    try {
      raw = await wire.rawLine();
    } catch (err) {
      if (err instanceof Closed && opts.acceptTruncated) return Buffer.concat([...parts, wire.takeRest()]);
      if (err instanceof Closed)
        throw new Closed(`the multi-line reply was cut short after ${parts.length} lines: ${err.message}`);
      throw err;
    }
    const content = withoutEnding(raw);
    if (content.length === 1 && content[0] === 0x2e) return Buffer.concat(parts);
    parts.push(opts.unstuff && content[0] === 0x2e ? raw.subarray(1) : raw);
  }
}

/** CAPA (RFC 2449 §5): the capabilities, or null when the server does not know CAPA. */
export async function capa(wire: LineWire): Promise<Capabilities | null> {
  const status = await command(wire, 'CAPA');
  if (!status.ok) return null;
  const body = await multiline(wire, { unstuff: true, acceptTruncated: false });
  const caps = new Map<string, string[]>();
  for (const line of body.toString('latin1').split(/\r?\n/)) {
    const [keyword, ...args] = line.trim().split(/\s+/);
    if (keyword)
      caps.set(
        keyword.toUpperCase(),
        args.map((a) => a.toUpperCase()),
      );
  }
  return caps;
}
