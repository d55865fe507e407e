/**
 * The HTTP/1.1 side of the HTTPS server, with no socket in it: parse one
 * request head from bytes, and plan the response (head, body, how it ends).
 */
import type { RecordedEvent } from '../shared/events.js';
import { createHash } from 'node:crypto';
import type { NormalEdit } from '../shared/script/schema.js';
import type { HttpsOptions } from './options.js';

/** Longest request head accepted (request line and headers). */
export const MAX_HEAD_BYTES = 16 * 1024;

export interface HttpRequestHead {
  method: string;
  target: string;
  version: string;
  headers: Record<string, string>;
  requestLine: string;
}

export type ParseResult =
  | { kind: 'more' }
  | { kind: 'request'; head: HttpRequestHead; rest: Buffer }
  | { kind: 'error'; code: 'HEAD_TOO_LARGE' | 'BAD_REQUEST_LINE'; message: string };

/** Accumulates bytes until a complete request head (RFC 9112 §2.1) is available. */
export class RequestHeadParser {
  private buffered = Buffer.alloc(0);

  push(chunk: Buffer): ParseResult {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    const end = this.buffered.indexOf('\r\n\r\n');
    if (end < 0) {
      if (this.buffered.length > MAX_HEAD_BYTES)
        return { kind: 'error', code: 'HEAD_TOO_LARGE', message: `request head over ${MAX_HEAD_BYTES} bytes` };
      return { kind: 'more' };
    }
    const lines = this.buffered.toString('latin1', 0, end).split('\r\n');
    const requestLine = lines[0] ?? '';
    const match = /^([A-Z]+) (\S+) (HTTP\/\d\.\d)$/.exec(requestLine);
    if (!match)
      return {
        kind: 'error',
        code: 'BAD_REQUEST_LINE',
        message: `not an HTTP request line: ${requestLine.slice(0, 80)}`,
      };
    const headers: Record<string, string> = {};
    for (const line of lines.slice(1)) {
      const colon = line.indexOf(':');
      if (colon > 0) headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    return {
      kind: 'request',
      head: { method: match[1]!, target: match[2]!, version: match[3]!, headers, requestLine },
      rest: this.buffered.subarray(end + 4),
    };
  }
}

/** The body for a case: deterministic, and for `binary` it holds every byte value. */
export function makeBody(body: HttpsOptions['body']): Buffer {
  const out = Buffer.alloc(body.size);
  if (body.kind === 'binary') {
    for (let i = 0; i < out.length; i++) out[i] = (i * 131 + (i >>> 8)) & 0xff;
  } else {
    const line = Buffer.from('Conform conformance body, line of text.\n');
    for (let i = 0; i < out.length; i++) out[i] = line[i % line.length]!;
  }
  return out;
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export interface ResponsePlan {
  /** Everything to write, in order. */
  chunks: Buffer[];
  /** Bytes of the body that were actually sent (for the payload event). */
  bodyBytesSent: number;
  complete: boolean;
}

/**
 * Builds a response: status line, headers and framed body, cut short if
 * `truncateAt` is set. `eol` ends the chunked framing's own lines (a script's
 * `lineEnd: lf`); the head's are editHead's.
 */
export function planResponse(
  body: Buffer,
  framing: HttpsOptions['body']['framing'],
  truncateAt?: number,
  eol = '\r\n',
): ResponsePlan {
  const sent = truncateAt === undefined ? body : body.subarray(0, Math.floor(body.length * truncateAt));
  const headers = ['HTTP/1.1 200 OK', 'Content-Type: application/octet-stream', 'Connection: close'];
  if (framing === 'content-length') headers.push(`Content-Length: ${body.length}`);
  if (framing === 'chunked') headers.push('Transfer-Encoding: chunked');
  const head = Buffer.from(`${headers.join('\r\n')}\r\n\r\n`, 'latin1');
  if (framing !== 'chunked')
    return { chunks: [head, sent], bodyBytesSent: sent.length, complete: sent.length === body.length };
  const chunks: Buffer[] = [head];
  for (let off = 0; off < sent.length; off += 16384) {
    const piece = sent.subarray(off, off + 16384);
    chunks.push(Buffer.from(`${piece.length.toString(16)}${eol}`), piece, Buffer.from(eol));
  }
  if (sent.length === body.length) chunks.push(Buffer.from(`0${eol}${eol}`));
  return { chunks, bodyBytesSent: sent.length, complete: sent.length === body.length };
}

/**
 * A response head as a script's `normal` edit leaves it: header fields whose
 * line matches `drop` left out (the status line always stays), `add` fields
 * appended, and bare LF line ends (RFC 9112 §2.2 lets a recipient accept them;
 * a strict one refuses). `cut` is no business of the head's: an HTTP answer is
 * cut in its body, its head whole, as truncate-body does.
 */
export function editHead(head: Buffer, edit: NormalEdit): Buffer {
  if (edit.drop === undefined && edit.add === undefined && edit.lineEnd !== 'lf') return head;
  const text = head.toString('latin1');
  const blank = text.indexOf('\r\n\r\n');
  let lines = (blank < 0 ? text : text.slice(0, blank)).split('\r\n');
  if (edit.drop !== undefined) {
    const drop = new RegExp(edit.drop);
    lines = lines.filter((l, i) => i === 0 || !drop.test(l));
  }
  if (edit.add !== undefined) lines.push(...[edit.add].flat());
  const eol = edit.lineEnd === 'lf' ? '\n' : '\r\n';
  return Buffer.from(`${lines.join(eol)}${eol}${eol}${blank < 0 ? '' : text.slice(blank + 4)}`, 'latin1');
}

/**
 * A whole short response (an error, a redirect) edited: its head by editHead,
 * its body cut to the `cut` fraction.
 */
export function editRawResponse(bytes: Buffer, edit: NormalEdit): Buffer {
  const blank = bytes.indexOf('\r\n\r\n');
  const head = blank < 0 ? bytes : bytes.subarray(0, blank + 4);
  const body = blank < 0 ? Buffer.alloc(0) : bytes.subarray(blank + 4);
  return Buffer.concat([
    editHead(head, edit),
    edit.cut === undefined ? body : body.subarray(0, Math.floor(body.length * edit.cut)),
  ]);
}

/** The status code a response's first bytes announce (`HTTP/1.1 302 …`), if they begin one. */
export function statusOf(bytes: Buffer): string | undefined {
  return /^HTTP\/\d(?:\.\d)? (\d{3})/.exec(bytes.toString('latin1', 0, 16))?.[1];
}

/** A short response with no payload (errors, redirects). */
export function simpleResponse(status: string, extraHeaders: string[] = [], text = ''): Buffer {
  const headers = [
    `HTTP/1.1 ${status}`,
    'Content-Type: text/plain',
    `Content-Length: ${Buffer.byteLength(text)}`,
    'Connection: close',
    ...extraHeaders,
  ];
  return Buffer.from(`${headers.join('\r\n')}\r\n\r\n${text}`, 'latin1');
}

/** RFC 9112 §3: a request line sent in the clear where TLS belonged is the request it would have been. */
export function plaintextRequest(line: string): RecordedEvent[] {
  const m = /^([A-Z]+) (\S+) HTTP\/\d\.\d$/.exec(line);
  return m ? [{ type: 'command', fields: { layer: 'plaintext', verb: m[1]!, args: m[2]!, raw: line } }] : [];
}
