// Transpiles the TypeScript sources to dist/ with esbuild (one module per source, and no
// type checking: `npm run typecheck` does that). It takes about half a second, so
// `npm run conform` rebuilds every time and never runs stale code, while the
// CLI and spawned clients start as plain JavaScript (tsx costs ~350 ms a start).
// Plain .mjs so that it runs before anything is compiled.
//
// It also writes dist/build-id: a hash of everything it emitted and of the
// installed dependencies, which keys caches of results the code computes
// (the validated case catalogue, harness/suite/catalogue.ts). Outputs whose
// bytes did not change are not rewritten, and changed ones are replaced by a
// rename, so a process starting during a rebuild never reads half a file.
import { build as esbuild } from 'esbuild';
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['contract', 'harness', 'servers', 'certs', 'clients', 'scripts'];
/** What else decides what the built code computes: the versions of the installed packages. */
const LOCK_FILE = 'package-lock.json';

async function sources(dir) {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.test.ts') && !e.name.endsWith('.d.ts'))
    .map((e) => join(e.parentPath ?? e.path, e.name));
}

/** Writes `contents` to `path` unless it already holds exactly that, atomically. */
async function writeIfChanged(path, contents) {
  const current = await readFile(path).catch(() => undefined);
  if (current && Buffer.compare(current, contents) === 0) return;
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, contents);
  await rename(temp, path);
}

export async function build() {
  const entryPoints = (await Promise.all(SOURCE_DIRS.map(sources))).flat();
  const result = await esbuild({
    entryPoints,
    outdir: join(root, 'dist'),
    outbase: root,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'inline',
    logLevel: 'warning',
    write: false,
  });
  const outputs = [...result.outputFiles].sort((a, b) => (a.path < b.path ? -1 : 1));
  await Promise.all(outputs.map((f) => writeIfChanged(f.path, f.contents)));
  const id = createHash('sha256');
  for (const f of outputs) id.update(`${f.path.slice(root.length)}\0${f.contents.length}\0`).update(f.contents);
  id.update(await readFile(join(root, LOCK_FILE)).catch(() => Buffer.alloc(0)));
  await writeIfChanged(join(root, 'dist/build-id'), Buffer.from(`${id.digest('hex')}\n`));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await build();
