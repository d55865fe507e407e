/** The reference prints a server's text with its control bytes escaped (EAST's UI-spoofing greetings). */
import { describe, expect, it } from 'vitest';
import { printable } from './index.js';

describe('printable', () => {
  it('escapes ESC and other control bytes, keeps tab and line ends, leaves text alone', () => {
    expect(printable('-ERR \x1b[31;1;4mPOP3\x1b[0m ready')).toBe('-ERR \\x1b[31;1;4mPOP3\\x1b[0m ready');
    expect(printable('a\tb\nc\x07\x7f\x9b')).toBe('a\tb\nc\\x07\\x7f\\x9b');
    expect(printable('plain ¹³ text')).toBe('plain ¹³ text');
  });
});
