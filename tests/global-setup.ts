import { build } from '../scripts/build.mjs';
import { keysCacheDir } from '../certs/cache-dir.js';
import { KEY_KINDS, keyPair } from '../certs/keys.js';

/**
 * Tests spawn the compiled CLI and reference client, so build them first.
 * The RSA key cache is filled here, once (half a minute on a fresh machine,
 * for the 8192-bit key): test files running side by side would otherwise
 * each make the same keys at once.
 */
export default async function setup(): Promise<void> {
  await Promise.all([build(), ...KEY_KINDS.map((kind) => keyPair(kind, keysCacheDir()))]);
}
