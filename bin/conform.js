#!/usr/bin/env node
// `conform` on the PATH (npm link, npx): compile the sources (~100 ms), then run the CLI.
import { build } from '../scripts/build.mjs';

await build();
await import('../dist/harness/cli.js');
