import { describe, expect, it } from 'vitest';
import { isRecordHeader, TlsRecordScanner } from './tls-records.js';

const record = (type: number, body: Buffer): Buffer =>
  Buffer.concat([Buffer.from([type, 0x03, 0x03, body.length >> 8, body.length & 0xff]), body]);
const hello = record(22, Buffer.alloc(300, 1));

describe('TlsRecordScanner', () => {
  it('finds nothing in a stream of whole records, however it is cut', () => {
    const stream = Buffer.concat([hello, record(20, Buffer.from([1])), record(23, Buffer.alloc(40, 7))]);
    for (const size of [1, 3, 5, 7, 64, stream.length]) {
      const s = new TlsRecordScanner();
      const found: Buffer[] = [];
      for (let i = 0; i < stream.length; i += size) found.push(s.push(stream.subarray(i, i + size)));
      found.push(s.end());
      expect(Buffer.concat(found).length).toBe(0);
      expect(s.plaintext).toBe(false);
    }
  });

  it('returns a command written right behind the ClientHello, in the same chunk', () => {
    const s = new TlsRecordScanner();
    const out = s.push(Buffer.concat([hello, Buffer.from('MAIL FROM:<a@b>\r\n')]));
    expect(out.toString()).toBe('MAIL FROM:<a@b>\r\n');
    expect(s.plaintext).toBe(true);
    expect(s.push(Buffer.from('RCPT TO:<c@d>\r\n')).toString()).toBe('RCPT TO:<c@d>\r\n');
  });

  it('returns plaintext whose first bytes arrived split from the rest', () => {
    const s = new TlsRecordScanner();
    expect(s.push(Buffer.concat([hello, Buffer.from('US')])).length).toBe(0);
    expect(s.push(Buffer.from('ER alice\r\n')).toString()).toBe('USER alice\r\n');
  });

  it('returns a short plaintext tail at the end of the stream', () => {
    const s = new TlsRecordScanner();
    s.push(Buffer.concat([hello, Buffer.from('QU')]));
    expect(s.end().toString()).toBe('QU');
  });

  it('takes plaintext after an alert (a failed handshake) as plaintext too', () => {
    const s = new TlsRecordScanner();
    const out = s.push(Buffer.concat([hello, record(21, Buffer.from([2, 42])), Buffer.from('PASS secret\r\n')]));
    expect(out.toString()).toBe('PASS secret\r\n');
  });

  it('reads records again when a later chunk starts with one (the session goes on behind the leak)', () => {
    const s = new TlsRecordScanner();
    expect(s.push(Buffer.concat([hello, Buffer.from('USER a\r\n')])).toString()).toBe('USER a\r\n');
    expect(s.push(record(23, Buffer.alloc(30, 9))).length).toBe(0);
    expect(s.plaintext).toBe(true);
    expect(s.resynced).toBe(1);
  });

  it('reads records again where one opens a line in the same chunk as the leak, however the bytes were split', () => {
    const leak = Buffer.from('A99 LOGIN a b\r\n');
    const flight = Buffer.concat([record(20, Buffer.from([1])), record(23, Buffer.alloc(40, 0x0a))]);
    const together = new TlsRecordScanner();
    expect(together.push(Buffer.concat([hello, leak, flight, leak])).toString()).toBe(`${leak}${leak}`);
    const apart = new TlsRecordScanner();
    const got = [hello, leak, flight, leak].map((c) => apart.push(c).toString()).join('');
    expect(got).toBe(`${leak}${leak}`);
  });

  it('knows record headers by type, version and length', () => {
    expect(isRecordHeader(Buffer.from([22, 3, 1, 0, 5]))).toBe(true);
    expect(isRecordHeader(Buffer.from('GET /'))).toBe(false);
    expect(isRecordHeader(Buffer.from([23, 3, 3, 0xff, 0xff]))).toBe(false);
  });
});
