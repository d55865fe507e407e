import { type ChildProcess, spawn } from 'node:child_process';
import { keysCacheDir } from '../certs/cache-dir.js';
import { KEY_KINDS, keyPair } from '../certs/keys.js';
import { findExecutable } from '../harness/clients/which.js';
import { build } from '../scripts/build.mjs';

/**
 * The first start of Chromium and of tshark on a fresh machine reads their
 * files from a cold disk (about 35 s and 14 s): started here, in the
 * background, that reading overlaps the key cache and the unit tests instead
 * of holding up the live test that first needs them (html-report and
 * security, artifacts). Each ends by itself; whatever still runs when the
 * tests end is killed.
 */
function warmUp(): ChildProcess[] {
  const chromium = findExecutable('chromium') ?? findExecutable('chromium-browser');
  const tshark = findExecutable('tshark');
  const commands = [
    ...(chromium
      ? [[chromium, '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--dump-dom', 'about:blank']]
      : []),
    ...(tshark ? [[tshark, '-G', 'protocols']] : []),
  ];
  return commands.map(([file, ...args]) => {
    const child = spawn(file!, args, { stdio: 'ignore', detached: true });
    child.on('error', () => undefined);
    child.unref();
    return child;
  });
}

/**
 * Tests spawn the compiled CLI and reference client, so build them first.
 * The RSA key cache is filled here, once (5-10 s on a fresh machine,
 * for the 8192-bit key): test files running side by side would otherwise
 * each make the same keys at once.
 */
export default async function setup(): Promise<() => void> {
  const warming = warmUp();
  await Promise.all([build(), ...KEY_KINDS.map((kind) => keyPair(kind, keysCacheDir()))]);
  return () => {
    for (const child of warming) {
      if (child.pid && child.exitCode === null && child.signalCode === null) {
        try {
          process.kill(-child.pid, 'SIGKILL');
        } catch {
          // gone meanwhile
        }
      }
    }
  };
}
