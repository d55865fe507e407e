import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { loadCatalogue, type CatalogueCache } from './catalogue.js';
import { defaultSuitesDir } from './files.js';

const CASE = `- id: https.demo.ok
  title: the first title
  level: info
  refs: [RFC 8446]
  expect: [{ outcome: success }]
`;

async function scratch(): Promise<{ suites: string; cache: CatalogueCache; file: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'conform-catalogue-'));
  const suites = join(dir, 'suites');
  const file = join(suites, 'https/demo.yaml');
  await mkdir(join(suites, 'https'), { recursive: true });
  await writeFile(file, CASE);
  return { suites, cache: { dir: join(dir, 'cache'), buildId: 'build-1' }, file };
}

const entries = async (dir: string): Promise<string[]> =>
  (await readdir(dir).catch(() => [] as string[])).filter((n) => n.startsWith('catalogue-'));

async function usageError(p: Promise<unknown>): Promise<UsageError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(UsageError);
  return err as UsageError;
}

describe('catalogue cache', () => {
  it('serves the same catalogue it validated, without rewriting it', async () => {
    const s = await scratch();
    const fresh = await loadCatalogue(s.suites, s.cache);
    const [entry] = await entries(s.cache.dir);
    expect(entry).toBeDefined();
    const written = (await stat(join(s.cache.dir, entry!))).mtimeMs;
    expect(await loadCatalogue(s.suites, s.cache)).toStrictEqual(fresh);
    expect((await stat(join(s.cache.dir, entry!))).mtimeMs).toBe(written);
    expect(await entries(s.cache.dir)).toEqual([entry]);
  });

  it('the whole built-in catalogue comes back from the cache exactly as validated', async () => {
    const s = await scratch();
    const fresh = await loadCatalogue(defaultSuitesDir(), false);
    await loadCatalogue(defaultSuitesDir(), s.cache);
    expect(await entries(s.cache.dir)).toHaveLength(1);
    const cached = await loadCatalogue(defaultSuitesDir(), s.cache);
    expect(cached).toStrictEqual(fresh);
    expect(cached.length).toBeGreaterThan(300);
  });

  it('an edited suite file is validated again: new content, never the stale cases', async () => {
    const s = await scratch();
    expect((await loadCatalogue(s.suites, s.cache))[0]!.title).toBe('the first title');
    await writeFile(s.file, CASE.replace('the first title', 'the second title'));
    expect((await loadCatalogue(s.suites, s.cache))[0]!.title).toBe('the second title');
    // A file added beside it counts too.
    await writeFile(join(s.suites, 'https/more.yaml'), CASE.replace('https.demo.ok', 'https.demo.more'));
    expect((await loadCatalogue(s.suites, s.cache)).map((c) => c.id)).toEqual(['https.demo.ok', 'https.demo.more']);
  });

  it('never hides an error: a broken file fails with file, line, case and field every time, cache or not', async () => {
    const s = await scratch();
    await loadCatalogue(s.suites, s.cache);
    await writeFile(s.file, CASE.replace('level: info', 'level: maybe'));
    const uncached = await usageError(loadCatalogue(s.suites, false));
    for (let i = 0; i < 2; i++) {
      const err = await usageError(loadCatalogue(s.suites, s.cache));
      expect(err.code).toBe('SUITE_INVALID');
      expect(err.message).toMatch(/demo\.yaml:3: case https\.demo\.ok: field level: /);
      expect(err.message).toBe(uncached.message);
    }
    // Inconsistent (valid YAML, wrong catalogue) is not cached either.
    await writeFile(s.file, CASE.replace('level: info', 'level: must'));
    const err = await usageError(loadCatalogue(s.suites, s.cache));
    expect(err.code).toBe('CATALOGUE_INCONSISTENT');
    expect(err.message).toMatch(/needs witnesses/);
    expect(await entries(s.cache.dir)).toHaveLength(1);
  });

  it('another build is another key; an unreadable entry is rebuilt, not trusted', async () => {
    const s = await scratch();
    await loadCatalogue(s.suites, s.cache);
    await loadCatalogue(s.suites, { ...s.cache, buildId: 'build-2' });
    const names = await entries(s.cache.dir);
    expect(names).toHaveLength(2);
    for (const n of names) await writeFile(join(s.cache.dir, n), 'not a catalogue');
    expect((await loadCatalogue(s.suites, s.cache))[0]!.id).toBe('https.demo.ok');
    const rewritten = await Promise.all(names.map((n) => readFile(join(s.cache.dir, n), 'utf8')));
    expect(rewritten.filter((t) => t === 'not a catalogue')).toHaveLength(1);
  });
});
