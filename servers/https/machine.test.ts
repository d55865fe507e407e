import { describe, expect, it } from 'vitest';
import {
  editHead,
  editRawResponse,
  makeBody,
  planResponse,
  RequestHeadParser,
  MAX_HEAD_BYTES,
  simpleResponse,
  statusOf,
} from './machine.js';

describe('HTTP request head parser', () => {
  it('waits for the blank line, however the bytes are split', () => {
    const parser = new RequestHeadParser();
    const bytes = Buffer.from('GET /conform/body.bin HTTP/1.1\r\nHost: localhost:1\r\nAccept: */*\r\n\r\nextra');
    let result = parser.push(bytes.subarray(0, 1));
    for (let i = 1; i < bytes.length && result.kind === 'more'; i++) result = parser.push(bytes.subarray(i, i + 1));
    expect(result).toMatchObject({
      kind: 'request',
      head: { method: 'GET', target: '/conform/body.bin', version: 'HTTP/1.1', headers: { host: 'localhost:1' } },
    });
  });

  it('rejects something that is not a request line with a stable code', () => {
    const result = new RequestHeadParser().push(Buffer.from('\x16\x03\x01\x00\x05hello\r\n\r\n'));
    expect(result).toMatchObject({ kind: 'error', code: 'BAD_REQUEST_LINE' });
  });

  it('bounds the head it will buffer', () => {
    const parser = new RequestHeadParser();
    const result = parser.push(Buffer.alloc(MAX_HEAD_BYTES + 1, 0x41));
    expect(result).toMatchObject({ kind: 'error', code: 'HEAD_TOO_LARGE' });
  });
});

describe('response planning', () => {
  it('a binary body holds every byte value', () => {
    expect(new Set(makeBody({ size: 4096, kind: 'binary', framing: 'content-length' })).size).toBe(256);
  });

  it('truncation keeps the full Content-Length but sends part of the body', () => {
    const body = makeBody({ size: 1000, kind: 'binary', framing: 'content-length' });
    const plan = planResponse(body, 'content-length', 0.5);
    expect(plan.chunks[0]!.toString()).toContain('Content-Length: 1000');
    expect(plan).toMatchObject({ bodyBytesSent: 500, complete: false });
  });

  it('chunked framing ends with the last-chunk marker only when complete', () => {
    const body = makeBody({ size: 40000, kind: 'text', framing: 'chunked' });
    const full = Buffer.concat(planResponse(body, 'chunked').chunks).toString('latin1');
    expect(full.endsWith('0\r\n\r\n')).toBe(true);
    const cut = Buffer.concat(planResponse(body, 'chunked', 0.5).chunks).toString('latin1');
    expect(cut.endsWith('0\r\n\r\n')).toBe(false);
  });
});

describe("a script's edits of the response", () => {
  const head = Buffer.from(
    'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\nContent-Length: 4\r\n\r\n',
  );

  it('drops header fields, never the status line, and adds fields at the end of the head', () => {
    const edited = editHead(head, { drop: '^Content-(Type|Length)', add: ['X-One: 1', 'X-Two: 2'] }).toString();
    expect(edited).toBe('HTTP/1.1 200 OK\r\nConnection: close\r\nX-One: 1\r\nX-Two: 2\r\n\r\n');
    expect(editHead(head, { drop: '.' }).toString()).toBe('HTTP/1.1 200 OK\r\n\r\n');
  });

  it("ends the head's lines with bare LF, and the chunked framing's with them too, leaving the body's bytes alone", () => {
    expect(editHead(head, { lineEnd: 'lf' }).toString()).toBe(
      'HTTP/1.1 200 OK\nContent-Type: application/octet-stream\nConnection: close\nContent-Length: 4\n\n',
    );
    const body = Buffer.from('a\r\nb');
    const chunks = planResponse(body, 'chunked', undefined, '\n').chunks.slice(1);
    expect(Buffer.concat(chunks).toString()).toBe('4\na\r\nb\n0\n\n');
  });

  it('cuts a short response in its body, its head whole', () => {
    const edited = editRawResponse(simpleResponse('403 Forbidden', [], 'go away!'), { cut: 0.5 }).toString();
    expect(edited).toMatch(/Content-Length: 8\r\nConnection: close\r\n\r\ngo a$/);
  });

  it('a cut of 0 leaves the head alone: a response that stops after its headers', () => {
    const plan = planResponse(Buffer.alloc(100, 1), 'chunked', 0);
    expect(plan.chunks).toHaveLength(1);
    expect(plan).toMatchObject({ bodyBytesSent: 0, complete: false });
  });

  it('reads the status a raw response begins with, and nothing from bytes that begin none', () => {
    expect(statusOf(Buffer.from('HTTP/1.1 302 Found\r\n'))).toBe('302');
    expect(statusOf(Buffer.from('HTTP/2 200\n'))).toBe('200');
    expect(statusOf(Buffer.from('0\r\n\r\n'))).toBeUndefined();
  });
});
