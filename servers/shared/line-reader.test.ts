import { describe, expect, it } from 'vitest';
import { LineReader, LineTooLongError } from './line-reader.js';

describe('bounded line reader', () => {
  it('splits CRLF and bare LF lines and keeps the rest', () => {
    const reader = new LineReader();
    expect(reader.push(Buffer.from('EHLO a\r\nNOOP\nSTART'))).toEqual(['EHLO a', 'NOOP']);
    expect(reader.push(Buffer.from('TLS\r\n'))).toEqual(['STARTTLS']);
    expect(reader.push(Buffer.from('pipelined'))).toEqual([]);
    expect(reader.takeRest().toString()).toBe('pipelined');
  });

  it('refuses an endless line without buffering it', () => {
    const reader = new LineReader(16);
    expect(() => reader.push(Buffer.alloc(17, 0x41))).toThrow(LineTooLongError);
  });
});
