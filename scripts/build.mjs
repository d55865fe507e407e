// Transpiles the TypeScript sources to dist/ with esbuild (no bundling and no
// type checking: `npm run typecheck` does that). It takes ~100 ms, so
// `npm run conform` rebuilds every time and never runs stale code, while the
// CLI and spawned clients start as plain JavaScript (tsx costs ~350 ms a start).
// Plain .mjs so that it runs before anything is compiled.
import { build as esbuild } from 'esbuild';
import { readdir } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['harness', 'servers', 'certs', 'clients', 'scripts'];

async function sources(dir) {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

export async function build() {
  const entryPoints = (await Promise.all(SOURCE_DIRS.map(sources))).flat();
  await esbuild({
    entryPoints,
    outdir: join(root, 'dist'),
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
  });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();
