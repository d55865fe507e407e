import { describe, expect, it } from 'vitest';
import { makeBody, planResponse, RequestHeadParser, MAX_HEAD_BYTES } from './machine.js';

describe('HTTP request head parser', () => {
  it('waits for the blank line, however the bytes are split', () => {
    const parser = new RequestHeadParser();
    const bytes = Buffer.from('GET /conform/body.bin HTTP/1.1\r\nHost: localhost:1\r\nAccept: */*\r\n\r\nextra');
    let result = parser.push(bytes.subarray(0, 1));
    for (let i = 1; i < bytes.length && result.kind === 'more'; i++) result = parser.push(bytes.subarray(i, i + 1));
    expect(result).toMatchObject({ kind: 'request', head: { method: 'GET', target: '/conform/body.bin', version: 'HTTP/1.1', headers: { host: 'localhost:1' } } });
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
