#!/usr/bin/env node
// `conform` on the PATH. From a source checkout (npm link, a clone) the
// TypeScript is transpiled first (~100 ms), so it never runs stale code; an
// installed package was built when it was packed and runs as it is.
import { existsSync } from 'node:fs';

if (existsSync(new URL('../harness/cli.ts', import.meta.url))) {
  const { build } = await import('../scripts/build.mjs');
  await build();
}
await import('../dist/harness/cli.js');
