import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { deserialize, serialize } from 'node:v8';
import { catalogueCacheDir } from '../../certs/cache-dir.js';
import type { Case } from './case.js';
import { readSuiteFiles, type SuiteFile } from './files.js';

/**
 * Where validated catalogues are kept, and the identity of the code that
 * validated them: a cached catalogue is only ever served to the same build.
 */
export interface CatalogueCache {
  dir: string;
  buildId: string;
}

/** Bumped when the cache file's layout changes. */
const FORMAT = 1;
/** Catalogues kept (one per suites folder and build, newest first). */
const KEEP = 8;

/**
 * The cache of the built harness: `dist/build-id` (written by scripts/build.mjs,
 * a hash of every emitted file and of package-lock.json) names the build, and
 * catalogues go to node_modules/.cache/conform (CONFORM_CACHE_DIR overrides;
 * CONFORM_CACHE=off disables). Run from the TypeScript sources there is no
 * build id, so nothing is cached.
 */
export function defaultCatalogueCache(): CatalogueCache | undefined {
  if (!import.meta.url.includes('/dist/') || process.env.CONFORM_CACHE === 'off') return undefined;
  const distRoot = new URL('../../', import.meta.url);
  let buildId: string;
  try {
    buildId = readFileSync(new URL('build-id', distRoot), 'utf8').trim();
  } catch {
    return undefined;
  }
  const dir = catalogueCacheDir();
  return buildId ? { dir, buildId } : undefined;
}

/**
 * The key of a catalogue: everything validation depends on. The suite files'
 * names (as errors and reports show them, so the working directory counts) and
 * bytes, the build (schemas, protocol definitions, flaw and client names, the
 * installed zod and yaml), and V8's serialization format.
 */
export function catalogueKey(buildId: string, files: readonly SuiteFile[]): string {
  const hash = createHash('sha256').update(`conform-catalogue ${FORMAT}\0${buildId}\0${process.versions.v8}\0`);
  for (const f of files) hash.update(`${f.protocol}\0${f.displayName}\0${Buffer.byteLength(f.text)}\0`).update(f.text);
  return hash.digest('hex');
}

const entryName = (key: string): string => `catalogue-${key}.bin`;

/** A cached catalogue, or undefined when there is none or it cannot be read (then it is rebuilt). */
async function readEntry(dir: string, key: string): Promise<Case[] | undefined> {
  try {
    const entry = deserialize(await readFile(join(dir, entryName(key)))) as {
      format?: unknown;
      key?: unknown;
      cases?: unknown;
    };
    return entry.format === FORMAT && entry.key === key && Array.isArray(entry.cases)
      ? (entry.cases as Case[])
      : undefined;
  } catch {
    return undefined;
  }
}

/** Writes atomically (a reader sees the old entry or the whole new one), then drops the oldest beyond KEEP. */
async function writeEntry(dir: string, key: string, cases: Case[]): Promise<void> {
  await mkdir(dir, { recursive: true });
  const file = join(dir, entryName(key));
  const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  await writeFile(temp, serialize({ format: FORMAT, key, cases }));
  await rename(temp, file);
  const entries = (await readdir(dir)).filter((n) => /^catalogue-[0-9a-f]+\.bin$/.test(n));
  if (entries.length <= KEEP) return;
  const dated = await Promise.all(
    entries.map(async (n) => ({ n, mtime: (await stat(join(dir, n)).catch(() => undefined))?.mtimeMs ?? 0 })),
  );
  dated.sort((a, b) => b.mtime - a.mtime);
  await Promise.all(dated.slice(KEEP).map((e) => rm(join(dir, e.n), { force: true })));
}

/**
 * Parses, validates and checks the suite files (the slow path: YAML, zod, every
 * protocol's options schema). Imported on demand, so that a cached `list`
 * loads none of it.
 */
async function validateCatalogue(files: readonly SuiteFile[]): Promise<Case[]> {
  const [
    { validateSuites },
    { checkCatalogue },
    { FLAW_NAMES },
    { PROFILE_NAMES },
    { isTemplateFile, validateTemplates },
  ] = await Promise.all([
    import('./load.js'),
    import('./check.js'),
    import('../../clients/reference/index.js'),
    import('../clients/profiles.js'),
    import('./templates.js'),
  ]);
  // suites/tls/ holds the TLS templates, instantiated for every protocol (templates.ts): each protocol's after its own cases.
  const own = validateSuites(files.filter((f) => !isTemplateFile(f)));
  const byFolder = (a: Case, b: Case): number => (a.protocol < b.protocol ? -1 : a.protocol > b.protocol ? 1 : 0);
  const cases = [...own, ...(await validateTemplates(files.filter(isTemplateFile)))].sort(byFolder);
  checkCatalogue(cases, { knownFlaws: new Set(FLAW_NAMES), knownClients: new Set(PROFILE_NAMES) });
  return cases;
}

/**
 * Loads and checks the whole catalogue (every run and `list` does this first).
 * Only a catalogue that validated is cached, under a key of the exact bytes
 * that were validated: an invalid suite is validated again on every start and
 * reports the same errors (file, line, case, field), and an edited one is a
 * different key. `cache: false` validates without reading or writing a cache.
 */
export async function loadCatalogue(
  suitesDir?: string,
  cache: CatalogueCache | false = defaultCatalogueCache() ?? false,
): Promise<Case[]> {
  const files = await readSuiteFiles(suitesDir);
  const key = cache ? catalogueKey(cache.buildId, files) : undefined;
  const cached = cache && key ? await readEntry(cache.dir, key) : undefined;
  if (cached) return cached;
  const cases = await validateCatalogue(files);
  // A cache that cannot be written (read-only install) only costs speed.
  if (cache && key) await writeEntry(cache.dir, key, cases).catch(() => undefined);
  return cases;
}
