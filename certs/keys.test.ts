// The key cache: RSA keys are made once and read back by every later call,
// in this process or another; the fast kinds are fresh every time.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, test } from 'vitest';
import { keyPair } from './keys.js';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conform-keys-'));
});
afterEach(() => rm(dir, { recursive: true, force: true }));

describe('key pairs', () => {
  test('an RSA key is made once, kept mode 0600, and the same key comes back', async () => {
    const first = await keyPair('rsa-1024', dir);
    expect(first.publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 1024 });
    expect((await stat(join(dir, 'rsa-1024.key.pem'))).mode & 0o777).toBe(0o600);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect((await keyPair('rsa-1024', dir)).privateKey).toBe(first.privateKey);
  });

  test('a key file of the wrong size (or none at all) is replaced', async () => {
    await writeFile(join(dir, 'rsa-1024.key.pem'), 'not a key', { mode: 0o600 });
    const pair = await keyPair('rsa-1024', join(dir, '.'));
    expect(pair.publicKey.asymmetricKeyDetails).toMatchObject({ modulusLength: 1024 });
  });

  test('elliptic-curve and Ed25519 keys are fresh for every certificate', async () => {
    const [a, b] = [await keyPair('ec-p256', dir), await keyPair('ec-p256', dir)];
    expect(a.publicKey.equals(b.publicKey)).toBe(false);
    expect((await keyPair('ec-p384', dir)).publicKey.asymmetricKeyDetails).toMatchObject({ namedCurve: 'secp384r1' });
    expect((await keyPair('ed25519', dir)).publicKey.asymmetricKeyType).toBe('ed25519');
  });
});
