/** The SOCKS5 machine under random bytes in random chunks (the property `npm run fuzz` can run at length). */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { socks5DatagramProperty, socks5Property } from '../../scripts/fuzz/socks5.js';

describe('SOCKS5 machine under random input', () => {
  it('never throws, never records a password, never writes an oversized message', () => {
    fc.assert(socks5Property, { seed: 1928, numRuns: 500 });
  });

  it('parses any datagram into a header or a reason, never throwing', () => {
    fc.assert(socks5DatagramProperty, { seed: 1928, numRuns: 2000 });
  });
});
