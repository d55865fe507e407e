/** The evidence of plaintext behind a ClientHello reads the same however the client's bytes were split. */
import { describe, expect, it } from 'vitest';
import { leakPreview } from './plaintext-tap.js';

const CCS = Buffer.from('140303000101', 'hex');
const APP = Buffer.concat([Buffer.from('1703030005', 'hex'), Buffer.from([1, 2, 3, 4, 5])]);

describe('leakPreview', () => {
  it('stops at a TLS record that opens a line: the next flight read with the leak', () => {
    const alone = leakPreview(Buffer.from('A99 LOGIN "conform" "secret"\r\n'));
    const withFlight = leakPreview(Buffer.concat([Buffer.from('A99 LOGIN "conform" "secret"\r\n'), CCS, APP]));
    expect(withFlight).toBe(alone);
    expect(alone).toContain('A99 LOGIN');
    expect(alone).not.toContain('secret');
  });

  it('keeps every plaintext line, and bytes that only look like a record inside a line', () => {
    const text = 'USER alice\r\nPASS x\r\nNOOP \x14\x03\x03 still text\r\n';
    expect(leakPreview(Buffer.from(text, 'latin1'))).toMatch(/USER alice[\s\S]*NOOP/);
  });
});
