/**
 * Sharding and merging: three shards merged give the same JUnit, JSON and HTML
 * verdicts as one unsharded run (volatile fields normalized: times, ports,
 * temporary paths, and transcript bodies, whose interleaving is timing).
 */
import { execFile } from 'node:child_process';
import { copyFile, mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const CLI = join(import.meta.dirname, '../dist/harness/cli.js');
const run = async (args: string[]): Promise<number> => (await runWithOutput(args)).code;
const runWithOutput = (args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { maxBuffer: 64 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    ),
  );

/** The verdict-bearing content of a JUnit report. */
function normalizeJunit(xml: string): string {
  return xml
    .replace(/<!\[CDATA\[[\s\S]*?\]\]>/g, '')
    .replace(/ time="[^"]*"/g, '')
    .replace(/\d+/g, '#');
}

/** The verdict-bearing content of a results file. */
function normalizeResults(json: string): unknown {
  const data = JSON.parse(json) as {
    summary: Record<string, unknown>;
    results: {
      id: string;
      client: string;
      status: string;
      level: string;
      reason?: string;
      checks: { met: boolean; expectation: string }[];
    }[];
  };
  const { durationMs: _d, ...summary } = data.summary;
  return {
    summary,
    results: data.results.map((r) => ({
      id: r.id,
      client: r.client,
      status: r.status,
      level: r.level,
      reason: (r.reason ?? '').replace(/\d+/g, '#'),
      checks: r.checks.map((c) => [c.met, c.expectation]),
    })),
  };
}

describe('conform merge', () => {
  it('three merged shards report what one unsharded run reports', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conform-merge-'));
    const common = [
      '--client',
      'reference --flaw skip-verify',
      '--protocol',
      'https',
      '--grep',
      '^https\\.(certificate|hostname|version)\\.',
      '--artifacts-dir',
      join(dir, 'cases'),
    ];
    const out = (name: string) => [
      '--junit',
      join(dir, `${name}.xml`),
      '--json',
      join(dir, `${name}.json`),
      '--html',
      join(dir, `${name}.html`),
    ];
    const whole = await run([...common, ...out('whole')]);
    const shardCodes = await Promise.all(
      [1, 2, 3].map((i) => run([...common, '--shard', `${i}/3`, ...out(`shard${i}`)])),
    );
    const merged = await run(['merge', ...[1, 2, 3].map((i) => join(dir, `shard${i}.json`)), ...out('merged')]);
    expect(whole).toBe(1);
    expect(merged).toBe(whole);
    expect(shardCodes.some((c) => c === 1)).toBe(true);

    const read = (f: string) => readFile(join(dir, f), 'utf8');
    expect(normalizeResults(await read('merged.json'))).toEqual(normalizeResults(await read('whole.json')));
    expect(normalizeJunit(await read('merged.xml'))).toBe(normalizeJunit(await read('whole.xml')));
    const cases = (html: string) =>
      (
        JSON.parse(/<script type="application\/json" id="conform-data">(.*?)<\/script>/s.exec(html)![1]!).cases as {
          id: string;
          status: string;
        }[]
      ).map((c) => `${c.id}:${c.status}`);
    expect(cases(await read('merged.html'))).toEqual(cases(await read('whole.html')));
  });

  it('refuses a missing or doubled shard with one clear message, and says nothing of workers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conform-merge-'));
    const out = (name: string) => [
      '--junit',
      join(dir, `${name}.xml`),
      '--json',
      join(dir, `${name}.json`),
      '--html',
      join(dir, `${name}.html`),
    ];
    const grep = ['--grep', '^https\\.certificate\\.(valid|expired|self-signed|not-yet-valid)$', '--artifacts', 'none'];
    // Shard 3/3 of these four cases is empty: it still exits 0 and leaves its results file for merge.
    expect(await Promise.all([1, 2, 3].map((i) => run([...grep, '--shard', `${i}/3`, ...out(`shard${i}`)])))).toEqual([
      0, 0, 0,
    ]);
    expect(JSON.parse(await readFile(join(dir, 'shard3.json'), 'utf8')).results).toEqual([]);
    const shard = (i: number) => join(dir, `shard${i}.json`);
    await copyFile(shard(1), join(dir, 'shard1-again.json'));

    const missing = await runWithOutput(['merge', shard(1), shard(3), ...out('m1')]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toBe('conform: merge: shard 2/3 missing\n');

    const doubled = await runWithOutput([
      'merge',
      shard(1),
      join(dir, 'shard1-again.json'),
      shard(2),
      shard(3),
      ...out('m2'),
    ]);
    expect(doubled.code).toBe(2);
    expect(doubled.stderr).toMatch(
      /^conform: merge: shard 1\/3 given twice \(.*shard1\.json, .*shard1-again\.json\)\n$/,
    );

    await run([...grep, '--shard', '1/2', ...out('half')]);
    const mixed = await runWithOutput(['merge', join(dir, 'half.json'), shard(2), shard(3), ...out('m3')]);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toMatch(/is a shard of 2 but .*shard2\.json of 3/);

    const whole = await runWithOutput(['merge', shard(1), shard(2), shard(3), ...out('m4')]);
    expect(whole.stderr).toBe('');
    expect(whole.code).toBe(0);
    expect(whole.stdout).toMatch(/^conform: 4 case\(s\) against reference, merged from 3 results file\(s\)\n/);
    expect(whole.stdout).not.toMatch(/worker/);
    expect(whole.stdout).toMatch(/4 passed, 0 failed/);
  });

  it('refuses a case that two shards both ran', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conform-merge-'));
    await run([
      '--grep',
      '^https\\.certificate\\.valid$',
      '--json',
      join(dir, 'a.json'),
      '--junit',
      join(dir, 'a.xml'),
      '--html',
      join(dir, 'a.html'),
    ]);
    expect(
      await run([
        'merge',
        join(dir, 'a.json'),
        join(dir, 'a.json'),
        '--junit',
        join(dir, 'm.xml'),
        '--json',
        join(dir, 'm.json'),
        '--html',
        join(dir, 'm.html'),
      ]),
    ).toBe(2);
  });
});
