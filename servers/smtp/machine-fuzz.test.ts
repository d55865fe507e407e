/** The SMTP machine under random input (the same property `npm run fuzz` runs 100,000 times). */
import fc from 'fast-check';
import { describe, it } from 'vitest';
import { smtpProperty } from '../../scripts/fuzz/smtp.js';

describe('SMTP machine under random input', () => {
  it('never throws, never reports a server error, and never records the password', () => {
    fc.assert(smtpProperty, { seed: 5321, numRuns: 400 });
  });
});
