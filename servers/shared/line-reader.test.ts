import { describe, expect, it } from 'vitest';
import { LineReader, LineTooLongError } from './line-reader.js';

describe('bounded line reader', () => {
  it('splits CRLF and bare LF lines, one at a time', () => {
    const reader = new LineReader();
    reader.push(Buffer.from('EHLO a\r\nNOOP\nSTART'));
    expect(reader.lines()).toEqual(['EHLO a', 'NOOP']);
    reader.push(Buffer.from('TLS\r\n'));
    expect(reader.next()).toBe('STARTTLS');
    expect(reader.next()).toBeUndefined();
  });

  it('hands over everything after the line it stopped at, complete lines included', () => {
    const reader = new LineReader();
    reader.push(Buffer.from('STARTTLS\r\nMAIL FROM:<a@b>\r\npartial'));
    expect(reader.next()).toBe('STARTTLS');
    expect(reader.takeRest().toString()).toBe('MAIL FROM:<a@b>\r\npartial');
  });

  it('refuses an endless line without buffering it', () => {
    const reader = new LineReader(16);
    expect(() => reader.push(Buffer.alloc(18, 0x41))).toThrow(LineTooLongError);
  });
});
