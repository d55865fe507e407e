// A key made from two primes found side by side is a whole, valid RSA key:
// OpenSSL's own consistency check accepts it, and it signs and verifies.
import { execFileSync } from 'node:child_process';
import { createPublicKey, sign, verify } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { rsaFromPrimes } from './rsa-from-primes.js';

describe('rsaFromPrimes', () => {
  test('makes a key of exactly the length asked for, which openssl rsa -check accepts and which signs', async () => {
    const key = await rsaFromPrimes(2048);
    expect(key.asymmetricKeyDetails).toMatchObject({ modulusLength: 2048, publicExponent: 65537n });
    const pem = key.export({ type: 'pkcs1', format: 'pem' });
    expect(execFileSync('openssl', ['rsa', '-check', '-noout'], { input: pem }).toString()).toMatch(/RSA key ok/);
    const signature = sign('sha256', Buffer.from('conform'), key);
    expect(verify('sha256', Buffer.from('conform'), createPublicKey(key), signature)).toBe(true);
  });
});
