/** The POP3 machine under random input (the same property `npm run fuzz` runs 100,000 times). */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { pop3Property } from '../../scripts/fuzz/pop3.js';

describe('POP3 machine under random input', () => {
  it('never throws, and never records a password', () => {
    fc.assert(pop3Property, { seed: 1939, numRuns: 300 });
  });
});
