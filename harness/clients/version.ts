import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** How long a version probe may take before the report goes without it. */
const PROBE_MS = 5000;
/** A version line longer than this is cut (curl's lists every library). */
const MAX = 160;

/**
 * What a program says it is: the first non-empty line it prints for its
 * version flag (`curl 8.5.0 (x86_64-pc-linux-gnu) libcurl/8.5.0 OpenSSL/3.0.13 …`),
 * or undefined when it cannot be asked. Reports show it beside the client, so a
 * result can be tied to the build that produced it.
 */
export function versionLine(argv: readonly string[]): string | undefined {
  const out = spawnSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    timeout: PROBE_MS,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  if (out.error || out.status !== 0) return undefined;
  const line = `${out.stdout ?? ''}\n${out.stderr ?? ''}`
    .split('\n')
    .map((l) => l.trim())
    .find(Boolean);
  return line && (line.length > MAX ? `${line.slice(0, MAX)}…` : line);
}

/** `NAME VERSION` of an installed npm package (the Node client libraries the profiles test). */
export function packageVersion(root: string, name: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'node_modules', name, 'package.json'), 'utf8')) as {
      version?: string;
    };
    return pkg.version ? `${name} ${pkg.version}` : undefined;
  } catch {
    return undefined;
  }
}

/** This harness's own version, which is also the reference client's. */
export function conformVersion(root: string): string | undefined {
  try {
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: string };
    return pkg.version;
  } catch {
    return undefined;
  }
}
