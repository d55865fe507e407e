/**
 * Where Conform keeps what it generates (certificates, validated catalogues).
 * In a source checkout: beside the sources, as a developer expects
 * (`certs/generated`, `node_modules/.cache/conform`). Installed as a package:
 * never inside node_modules, which may be read-only and is shared by every
 * project of a machine, but in the user's cache directory (XDG Base Directory:
 * `$XDG_CACHE_HOME/conform-harness`, else `~/.cache/conform-harness`), or
 * `CONFORM_CACHE_DIR` when set.
 */
import { existsSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The folder holding Conform's package.json: the checkout, or node_modules/conform-harness. */
export function packageRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error(`no package.json above ${fileURLToPath(import.meta.url)}`);
    dir = up;
  }
  return dir;
}

/** A git clone with the TypeScript sources (`npm run conform`), rather than an installed package. */
export function isSourceCheckout(root = packageRoot()): boolean {
  return existsSync(join(root, 'harness', 'cli.ts'));
}

/** The user's cache folder for an installed package. */
function userCache(): string {
  if (process.env.CONFORM_CACHE_DIR) return process.env.CONFORM_CACHE_DIR;
  const xdg = process.env.XDG_CACHE_HOME;
  // A user with no home (a CI container's nobody) still gets a folder of its own.
  const home = homedir();
  const base = xdg && xdg.startsWith('/') ? xdg : home && home !== '/' ? join(home, '.cache') : tmpdir();
  return join(base, 'conform-harness');
}

/** The folder for generated certificates and keys. */
export function certsCacheDir(): string {
  const root = packageRoot();
  return isSourceCheckout(root) ? join(root, 'certs', 'generated') : join(userCache(), 'certs');
}

/**
 * The RSA key cache (certs/keys.ts): keys of 2048 to 8192 bits, made once per
 * machine and shared by every certificate folder, so that a fresh folder
 * (a cold start) makes certificates only. Beside the certificates' folder.
 */
export function keysCacheDir(): string {
  const root = packageRoot();
  return isSourceCheckout(root) ? join(root, 'certs', 'generated', 'keys') : join(userCache(), 'keys');
}

/** The folder for validated catalogues (CONFORM_CACHE_DIR itself in a checkout, as before). */
export function catalogueCacheDir(): string {
  const root = packageRoot();
  if (!isSourceCheckout(root)) return join(userCache(), 'catalogue');
  return process.env.CONFORM_CACHE_DIR || join(root, 'node_modules', '.cache', 'conform');
}
