/**
 * Issue #14: docs/contract.md is the client contract users read, so it must
 * say what the code does. Its tables are checked against the code: the
 * environment against jobEnv, the module client's fields against Job, the
 * results file against a real run's JSON, the known-results file against its schema.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { KnownResultsFileSchema } from '../harness/known-results.js';
import { jobEnv, jobFromEnv } from '../contract/job.js';

const repo = new URL('..', import.meta.url).pathname;
const doc = await readFile(join(repo, 'docs/contract.md'), 'utf8');

/** The first-column entries of the table that follows a heading or a line ending with the given text. */
function tableAfter(marker: string): string[][] {
  const at = doc.indexOf(marker);
  expect(at, `docs/contract.md has "${marker}"`).toBeGreaterThanOrEqual(0);
  const rows: string[][] = [];
  let started = false;
  for (const line of doc.slice(at).split('\n').slice(1)) {
    if (line.startsWith('|')) {
      started = true;
      const cells = line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((c) => c.trim());
      if (!/^-+$/.test(cells[0]!) && cells[0] !== 'key' && cells[0] !== 'field' && cells[0] !== 'variable')
        rows.push(cells);
    } else if (started) break;
  }
  return rows;
}
const names = (cell: string): string[] => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]!);

describe('docs/contract.md says what the code does', () => {
  const env = jobEnv(jobFromEnv({ CONFORM_PROTOCOL: 'ftps' }));

  it('lists every CONFORM_ variable a client is given, and no other', () => {
    const documented = tableAfter('## What a client is told (environment)').flatMap((r) => names(r[0]!));
    expect(documented.sort()).toEqual(Object.keys(env).sort());
  });

  it("lists the module client's job fields, each with its variable", () => {
    const rows = tableAfter('## A client written as a Node module');
    const job = jobFromEnv({});
    expect(rows.map((r) => names(r[0]!)[0]).sort()).toEqual(Object.keys(job).sort());
    expect(rows.map((r) => names(r[1]!)[0]).sort()).toEqual(Object.keys(env).sort());
  });

  it('lists the keys of an known-results file', () => {
    const rows = tableAfter('pop3.retrieve.sasl-plain-only: no SASL support');
    expect(rows.map((r) => names(r[0]!)[0]).sort()).toEqual(Object.keys(KnownResultsFileSchema.shape).sort());
  });

  it('lists the keys of results.json, its summary and its results, as a real run writes them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conform-contract-'));
    const json = join(dir, 'results.json');
    await promisify(execFile)(
      process.execPath,
      [
        join(repo, 'dist/harness/cli.js'),
        '--grep',
        '^https\\.certificate\\.(expired|valid)',
        '--client',
        'reference --flaw skip-verify',
        '--json',
        json,
        '--junit',
        join(dir, 'j.xml'),
        '--html',
        join(dir, 'i.html'),
        '--artifacts',
        'none',
      ],
      { cwd: dir },
    ).catch(() => undefined);
    const file = JSON.parse(await readFile(json, 'utf8')) as { summary: object; results: object[] };
    const top = tableAfter('holds one object').map((r) => names(r[0]!)[0]);
    expect(top.sort()).toEqual(Object.keys(file).sort());
    expect(
      tableAfter('`summary`:')
        .map((r) => names(r[0]!)[0])
        .sort(),
    ).toEqual(Object.keys(file.summary).sort());
    const documented = tableAfter('each of `results`:').flatMap((r) => names(r[0]!));
    const written = new Set(file.results.flatMap((r) => Object.keys(r)));
    expect([...written].filter((k) => !documented.includes(k))).toEqual([]);
    // The keys a run may leave out (no stale entry, no harness fault) are the only ones not seen here.
    expect(
      documented.filter((k) => !written.has(k)).every((k) => ['stale', 'errorCode', 'reason', 'outcome'].includes(k)),
    ).toBe(true);
  }, 60_000);
});
