/** Where the passive replies say the data connection is (RFC 2428 §3, RFC 959 §4.1.2). */
import { describe, expect, it } from 'vitest';
import { epsvPort, pasvAddress } from './passive.js';

describe('epsvPort', () => {
  it('reads the port of a 229', () => {
    expect(epsvPort({ code: 229, text: 'Entering Extended Passive Mode (|||6446|)' })).toBe(6446);
  });

  it('reads it whatever the delimiter, as long as it is one printable character used four times (RFC 2428 §2)', () => {
    expect(epsvPort({ code: 229, text: 'Entering Extended Passive Mode (!!!6446!)' })).toBe(6446);
    expect(epsvPort({ code: 229, text: 'Entering Extended Passive Mode (~~~6446~)' })).toBe(6446);
    expect(epsvPort({ code: 229, text: 'Entering Extended Passive Mode (|!|6446|)' })).toBeUndefined();
    expect(epsvPort({ code: 229, text: 'Entering Extended Passive Mode (   6446 )' })).toBeUndefined();
  });

  it('gives none for another code, or for a 229 without the (|||port|) form', () => {
    expect(epsvPort({ code: 500, text: 'EPSV not understood (|||6446|)' })).toBeUndefined();
    expect(epsvPort({ code: 229, text: 'Entering Extended Passive Mode' })).toBeUndefined();
    expect(epsvPort({ code: 229, text: 'Entering Extended Passive Mode (|1|127.0.0.1|6446|)' })).toBeUndefined();
  });
});

describe('pasvAddress', () => {
  it('reads host and port from the parenthesised six numbers', () => {
    expect(pasvAddress({ code: 227, text: 'Entering Passive Mode (127,0,0,1,25,32)' })).toEqual({
      host: '127.0.0.1',
      port: 25 * 256 + 32,
    });
  });

  it('finds them anywhere in the text, without parentheses too (RFC 1123 §4.1.2.6)', () => {
    expect(pasvAddress({ code: 227, text: '=10,1,2,3,4,1 ok' })).toEqual({ host: '10.1.2.3', port: 1025 });
  });

  it('gives none when the text holds no six numbers', () => {
    expect(pasvAddress({ code: 227, text: 'Entering Passive Mode (127,0,0,1,25)' })).toBeUndefined();
  });
});
