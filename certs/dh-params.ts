// The finite-field Diffie-Hellman groups of the DHE-only servers, as the
// PKCS #3 PEM that Node's `dhparam` option takes. The primes are the
// well-known MODP groups (RFC 2409 §6.2, RFC 3526 §3), written out rather
// than taken from crypto.getDiffieHellman(), whose first call costs ~80 ms; the
// composite modulus is the 2048-bit one plus two, which is odd, passes the
// size and parity checks a TLS stack makes, and is not prime (the flaw of
// socat's hard-coded modulus, CVE-2016-2217). The small-subgroup group has
// a prime modulus whose generator has a 32-bit prime order (badssl's
// dh-small-subgroup class). Node refuses groups under 1024 bits outright, so
// no 512-bit group can be served.
import { seq, uint } from './der.js';
import type { DhGroup } from './profiles.js';

/** RFC 2409 §6.2, the 1024-bit MODP group (Oakley group 2). */
const MODP_1024 =
  'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437' +
  '4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381ffffffffffffffff';

/** RFC 3526 §3, the 2048-bit MODP group (group 14). */
const MODP_2048 =
  'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd129024e088a67cc74020bbea63b139b22514a08798e3404ddef9519b3cd3a431b302b0a6df25f1437' +
  '4fe1356d6d51c245e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7edee386bfb5a899fa5ae9f24117c4b1fe649286651ece45b3dc2007cb8a163bf05' +
  '98da48361c55d39a69163fa8fd24cf5f83655d23dca3ad961c62f356208552bb9ed529077096966d670c354e4abc9804f1746c08ca18217c32905e462e36ce3b' +
  'e39e772c180e86039b2783a2ec07a28fb5c55df06f4c52c9de2bcbf6955817183995497cea956ae515d2261898fa051015728e5a8aacaa68ffffffffffffffff';

/**
 * A prime p = k·m + 1 (2048 bits, k even) with m = 4294967291, the largest prime
 * under 2^32, and g = 2^((p-1)/m) mod p, of order m: every public value g^x is
 * one of m numbers, so the shared secret is too, and an eavesdropper finds it
 * in 2^32 tries. p - 1 is not twice a prime (p is not a safe prime), which is
 * what a client can check. Found by a random search for k (about a thousand
 * candidates); certs/dh-params.test.ts checks each property.
 */
export const SMALL_SUBGROUP = {
  prime:
    'fea5fbac0f34e9ce65191e6007a4b2f9837125d368d10c806c6a6716a40b38bb0b5d52c3db507eaa169b7c8f9c5169cba36fee5ba0bb026abd33f8f863dcf46a' +
    'cc38a2d0ddab77e088d91730f0582e99fe0b9f31b1a5eea9f307f4f79a86ac87d865e601e86b5d86571cd082bd5662b14dc5e1c1a0578bc1fcd46482cdd1cee2' +
    '88c3ebd8b9c07fc27572b5ee4aab4c4d80c7c5b867c15edf4e06d2a2b661f2b193528ce430df8a0d6c764fd87376ad958aae4ab0c854271370e7932df7d87055' +
    '224cb4ec91debbe1185a41efd0bfc5df27586cb24894e8894124518836b45a638427db0cf04bc6eefa11df0da333a3356a87ec7c211a30cc0e6107c9fddb7e51',
  generator:
    '30cf2d79249ae8e6a427ff6cac9f8d41f0f73aa9d4e3c5a3641675d54589c96bb319aa824e56a0d8412796b309859858700b2d85fb07a601deb80cada6521ba50e0b4866fe17e3b937fac8a467992faadbb722b1ce075df1acd371743f10d6b1b36997e9ee35aaaf38fe968466df7d33e45177f3c3e39071f06d2b657e8e43037d31ea3ef494b3708385da9f321eaee2e6ea74d8eabe8c710c14f2cca195a852ecc466ff9c44864ca7c53ddda43827d253956687451adf7a5f0f32cc412b3c78649d180368b113eafcaa55d63619a425b528407a4987be090e77826a63676cd53443e742ea1c2797c83604c76d44452fee73e28936d9b149831aa88d8fb85ed0',
  order: 4294967291n,
} as const;

function pem(p: Buffer, g: Buffer | number): string {
  // DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER } (PKCS #3 §9).
  const der = seq(uint(p), uint(g));
  return `-----BEGIN DH PARAMETERS-----\n${der.toString('base64').replace(/.{64}(?=.)/g, '$&\n')}\n-----END DH PARAMETERS-----\n`;
}

function plusTwo(p: Buffer): Buffer {
  const n = BigInt(`0x${p.toString('hex')}`) + 2n;
  return Buffer.from(n.toString(16).padStart(p.length * 2, '0'), 'hex');
}

/** The modulus of a group (big-endian, unsigned). */
export function dhPrime(group: DhGroup): Buffer {
  if (group === 'modp-1024') return Buffer.from(MODP_1024, 'hex');
  if (group === 'small-subgroup-2048') return Buffer.from(SMALL_SUBGROUP.prime, 'hex');
  const modp2048 = Buffer.from(MODP_2048, 'hex');
  return group === 'modp-2048' ? modp2048 : plusTwo(modp2048);
}

/** The group as Node's `dhparam` takes it. */
export function dhParamPem(group: DhGroup): string {
  return pem(dhPrime(group), group === 'small-subgroup-2048' ? Buffer.from(SMALL_SUBGROUP.generator, 'hex') : 2);
}
