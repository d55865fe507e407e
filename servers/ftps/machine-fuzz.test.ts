/** The FTPS control machine under random input (the property `npm run fuzz` can run at length). */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { ftpsProperty } from '../../scripts/fuzz/ftps.js';

describe('FTPS machine under random input', () => {
  it('never throws, never records a password, and never leaves the virtual tree', () => {
    fc.assert(ftpsProperty, { seed: 959, numRuns: 300 });
  });
});
