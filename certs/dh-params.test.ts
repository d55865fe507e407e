// The DH groups are what their names say: checked here with Node's own
// primality test and modular arithmetic, not taken on trust.
import { checkPrimeSync } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { dhParamPem, dhPrime, SMALL_SUBGROUP } from './dh-params.js';

const big = (b: Buffer): bigint => BigInt(`0x${b.toString('hex')}`);
function modPow(base: bigint, exp: bigint, n: bigint): bigint {
  let r = 1n;
  for (let b = base % n, e = exp; e > 0n; e >>= 1n, b = (b * b) % n) if (e & 1n) r = (r * b) % n;
  return r;
}

describe('DH groups', () => {
  test('the MODP groups are safe primes; the composite one is odd, 2048 bits and not prime', () => {
    for (const group of ['modp-1024', 'modp-2048'] as const) {
      const p = big(dhPrime(group));
      expect(checkPrimeSync(p) && checkPrimeSync((p - 1n) / 2n), group).toBe(true);
    }
    const composite = big(dhPrime('composite-2048'));
    expect([composite % 2n, composite.toString(2).length, checkPrimeSync(composite)]).toEqual([1n, 2048, false]);
  });

  test('the small-subgroup group: p prime, not safe; its generator has the 32-bit prime order it claims', () => {
    const p = big(dhPrime('small-subgroup-2048'));
    const g = BigInt(`0x${SMALL_SUBGROUP.generator}`);
    expect(p.toString(2).length).toBe(2048);
    expect(checkPrimeSync(p)).toBe(true);
    expect(checkPrimeSync((p - 1n) / 2n)).toBe(false);
    expect(checkPrimeSync(SMALL_SUBGROUP.order)).toBe(true);
    expect((p - 1n) % SMALL_SUBGROUP.order).toBe(0n);
    expect(g > 1n && g < p - 1n).toBe(true);
    expect(modPow(g, SMALL_SUBGROUP.order, p)).toBe(1n);
    expect(dhParamPem('small-subgroup-2048')).toMatch(
      /^-----BEGIN DH PARAMETERS-----\n[\s\S]+\n-----END DH PARAMETERS-----\n$/,
    );
  });
});
