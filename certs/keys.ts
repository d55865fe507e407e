// Key pairs for the certificates. Elliptic-curve and Ed25519 keys cost well
// under a millisecond and are made with each certificate. RSA keys cost
// 0.2 s (2048 bits) to several seconds (8192 bits): they are made once per
// machine, kept in the key cache (certs/cache-dir.ts: keysCacheDir()), and
// shared by every profile and every generation that needs that size. Leaf
// and authority certificates stay short-lived and are remade as before;
// only the RSA key material under them outlives a generation.
import {
  createPrivateKey,
  createPublicKey,
  generateKeyPair,
  generateKeyPairSync,
  randomBytes,
  type KeyObject,
} from 'node:crypto';
import { readFileSync } from 'node:fs';
import { chmod, mkdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { rsaFromPrimes } from './rsa-from-primes.js';

export const KEY_KINDS = ['ec-p256', 'ec-p384', 'ed25519', 'rsa-1024', 'rsa-2048', 'rsa-4096', 'rsa-8192'] as const;
export type KeyKind = (typeof KEY_KINDS)[number];

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

const generateAsync = promisify(generateKeyPair);

/** The RSA modulus length of a kind, or null for the kinds made on the spot. */
export function rsaBits(kind: KeyKind): number | null {
  const m = /^rsa-(\d+)$/.exec(kind);
  return m ? Number(m[1]) : null;
}

/** A fresh elliptic-curve or Ed25519 pair (sync: a fraction of a millisecond). */
function freshPair(kind: KeyKind): KeyPair {
  if (kind === 'ed25519') return generateKeyPairSync('ed25519');
  return generateKeyPairSync('ec', { namedCurve: kind === 'ec-p384' ? 'P-384' : 'P-256' });
}

/** Pending and made RSA keys of this process, by cache folder and kind: each is read or made once. */
const rsaKeys = new Map<string, Promise<KeyPair>>();

/**
 * The key pair for one certificate of `kind`: a fresh one for EC and Ed25519,
 * the cached one for RSA (made now, off the main thread, if the cache has none).
 */
export function keyPair(kind: KeyKind, keysDir: string): Promise<KeyPair> {
  const bits = rsaBits(kind);
  if (bits === null) return Promise.resolve(freshPair(kind));
  const id = `${keysDir}\0${kind}`;
  let pending = rsaKeys.get(id);
  if (!pending) {
    pending = cachedRsa(kind, bits, keysDir);
    rsaKeys.set(id, pending);
    pending.catch(() => rsaKeys.delete(id));
  }
  return pending;
}

function pairOf(privateKey: KeyObject): KeyPair {
  return { privateKey, publicKey: createPublicKey(privateKey) };
}

async function cachedRsa(kind: KeyKind, bits: number, keysDir: string): Promise<KeyPair> {
  const file = join(keysDir, `${kind}.key.pem`);
  try {
    const key = createPrivateKey(readFileSync(file, 'utf8'));
    if (key.asymmetricKeyDetails?.modulusLength === bits) return pairOf(key);
  } catch {
    // Missing or unreadable: made below.
  }
  // Large keys: the two primes are searched for on two threads at once (certs/rsa-from-primes.ts).
  const privateKey =
    bits >= 4096 ? await rsaFromPrimes(bits) : (await generateAsync('rsa', { modulusLength: bits })).privateKey;
  await mkdir(keysDir, { recursive: true, mode: 0o700 });
  await chmod(keysDir, 0o700);
  // Several processes may make the same key at once: each renames a whole file over the
  // name, and whichever lands last is the one every later run reads.
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await writeFile(tmp, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600, flag: 'wx' });
  await rename(tmp, file);
  return pairOf(privateKey);
}
