// An RSA key whose two primes are searched for side by side. OpenSSL's key
// generation finds p, then q, on one thread: an 8192-bit key took 10-14 s here
// (and up to a minute at random on CI). Each prime's search time is random, so
// two searches on two threads (libuv's pool) end at the later of the two, not
// at their sum: ~6 s for 8192 bits. The key is then the usual RSA arithmetic
// (RFC 8017 §3.2) encoded as PKCS #1 RSAPrivateKey (RFC 8017 App. A.1.2).
import { createPrivateKey, generatePrime, type KeyObject } from 'node:crypto';
import { seq, tlv } from './der.js';

/** A random prime of `bits` bits, found on libuv's thread pool. */
function primeOf(bits: number): Promise<bigint> {
  return new Promise((resolve, reject) =>
    generatePrime(bits, { bigint: true }, (err, prime) => (err ? reject(err) : resolve(prime))),
  );
}

const E = 65537n;

/** a^-1 mod m (extended Euclid); a and m coprime. */
function inverse(a: bigint, m: bigint): bigint {
  let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
  }
  if (r0 !== 1n) throw new Error('not invertible');
  return ((s0 % m) + m) % m;
}

function gcd(a: bigint, b: bigint): bigint {
  while (b !== 0n) [a, b] = [b, a % b];
  return a;
}

/** A DER INTEGER of a non-negative bigint (a leading 0 where the sign bit would be set). */
function integer(value: bigint): Buffer {
  let hex = value.toString(16);
  if (hex.length % 2) hex = `0${hex}`;
  const bytes = Buffer.from(hex, 'hex');
  return tlv(0x02, bytes[0]! >= 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

/** A prime of `bits` bits for which e = 65537 is a valid public exponent (gcd(e, p-1) = 1). */
async function rsaPrime(bits: number): Promise<bigint> {
  for (;;) {
    const p = await primeOf(bits);
    if (gcd(E, p - 1n) === 1n) return p;
  }
}

/**
 * A fresh RSA private key of exactly `bits` bits (even, >= 1024). OpenSSL's prime
 * search sets each prime's top two bits, so p·q always has the full length; the
 * loop guards it anyway.
 */
export async function rsaFromPrimes(bits: number): Promise<KeyObject> {
  for (;;) {
    const [p, q] = await Promise.all([rsaPrime(bits / 2), rsaPrime(bits / 2)]);
    if (p === q) continue;
    const n = p * q;
    if (n.toString(2).length !== bits) continue;
    const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
    const d = inverse(E, lambda);
    const der = seq(
      integer(0n),
      integer(n),
      integer(E),
      integer(d),
      integer(p),
      integer(q),
      integer(d % (p - 1n)),
      integer(d % (q - 1n)),
      integer(inverse(q, p)),
    );
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs1' });
  }
}
