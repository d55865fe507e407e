// The finite-field Diffie-Hellman groups of the DHE-only servers, as the
// PKCS #3 PEM that Node's `dhparam` option takes. The primes are the
// well-known MODP groups (RFC 2409 §6.2, RFC 3526 §3), written out rather
// than taken from crypto.getDiffieHellman(), whose first call costs ~80 ms; the
// composite modulus is the 2048-bit one plus two, which is odd, passes the
// size and parity checks a TLS stack makes, and is not prime (the flaw of
// socat's hard-coded modulus, CVE-2016-2217). Node refuses groups under
// 1024 bits outright, so no 512-bit group can be served.
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

function pem(p: Buffer): string {
  // DHParameter ::= SEQUENCE { prime INTEGER, base INTEGER } (PKCS #3 §9).
  const der = seq(uint(p), uint(2));
  return `-----BEGIN DH PARAMETERS-----\n${der.toString('base64').replace(/.{64}(?=.)/g, '$&\n')}\n-----END DH PARAMETERS-----\n`;
}

function plusTwo(p: Buffer): Buffer {
  const n = BigInt(`0x${p.toString('hex')}`) + 2n;
  return Buffer.from(n.toString(16).padStart(p.length * 2, '0'), 'hex');
}

/** The modulus of a group (big-endian, unsigned). */
export function dhPrime(group: DhGroup): Buffer {
  if (group === 'modp-1024') return Buffer.from(MODP_1024, 'hex');
  const modp2048 = Buffer.from(MODP_2048, 'hex');
  return group === 'modp-2048' ? modp2048 : plusTwo(modp2048);
}

/** The group as Node's `dhparam` takes it. */
export function dhParamPem(group: DhGroup): string {
  return pem(dhPrime(group));
}
