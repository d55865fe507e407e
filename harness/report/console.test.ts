import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../run/result.js';
import { summarize } from '../run/summary.js';
import { consoleReporter, statusLine } from './console.js';

const result = (id: string, status: CaseResult['status'], level: CaseResult['level'] = 'must'): CaseResult => ({
  id,
  title: id,
  protocol: 'https',
  level,
  refs: ['RFC 1'],
  client: 'reference',
  status,
  ...(status === 'fail' ? { reason: 'the client reported success (exit 0)' } : {}),
  checks: [],
  faults: [],
  events: [],
  durationMs: 12,
  repro: `npm run conform -- --grep '^${id}$'`,
});

function drive(
  tty: boolean,
  results = [
    result('https.a.one', 'pass'),
    result('https.a.two', 'fail'),
    result('https.a.three', 'pass'),
    result('https.a.four', 'pass'),
  ],
  strict = false,
): string {
  const stream = Object.assign(new PassThrough(), { isTTY: tty, columns: 100 });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const saved = process.env.CI;
  delete process.env.CI;
  const reporter = consoleReporter(stream);
  reporter.onBegin!({
    cases: new Array(results.length),
    clients: ['reference'],
    workers: 2,
    strict,
    startedAt: new Date(),
  });
  for (const r of results) reporter.onCaseEnd!(r);
  reporter.onEnd!(results, summarize(results, 1000, strict));
  if (saved !== undefined) process.env.CI = saved;
  return text;
}

describe('console reporter', () => {
  it('writes one plain line per case where output is not a terminal', () => {
    const text = drive(false);
    expect(text).toMatch(/✓ 1\/4 https\.a\.one \(12 ms\)\n/);
    expect(text).toMatch(/✗ 2\/4 https\.a\.two \(12 ms\) — the client reported success/);
    expect(text).not.toMatch(/\r/);
    expect(text).toMatch(/Failures:\n {2}MUST https\.a\.two: the client reported success \(exit 0\)\n {4}rerun: /);
    expect(text).toMatch(/3 passed, 1 failed, 0 skipped, 0 errors in 1\.0 s\n$/);
  });

  it('shows a should failure without --strict as a note apart from the failures, and counts it apart', () => {
    const results = [
      result('https.a.must', 'fail'),
      result('https.a.should', 'fail', 'should'),
      result('https.a.ok', 'pass'),
    ];
    const text = drive(false, results);
    expect(text).toMatch(/△ 2\/3 https\.a\.should \[should, not failing the run without --strict\]/);
    expect(text).toMatch(
      /Failures:\n {2}MUST https\.a\.must: [^\n]*\n {4}rerun: [^\n]*\n\nShould-level expectations not met \(they fail the run only with --strict\):\n {2}SHOULD https\.a\.should: /,
    );
    expect(text).toMatch(/1 passed, 1 failed, 1 should not met \(not failing without --strict\), 0 skipped/);
    const strict = drive(false, results, true);
    expect(strict).toMatch(/✗ 2\/3 https\.a\.should \[should\]/);
    expect(strict).not.toMatch(/Should-level/);
    expect(strict).toMatch(/1 passed, 2 failed \(1 should\), 0 skipped/);
  });

  it('fits the status line to narrow terminals by dropping whole parts, never a last character', () => {
    const full = '[120/485] 3 failed · about 42 s left';
    expect(statusLine(120, 485, 3, ' · about 42 s left', 80)).toBe(full);
    // Exactly as wide as the line plus the column a rewrite needs: the whole line.
    expect(statusLine(120, 485, 3, ' · about 42 s left', full.length + 1)).toBe(full);
    expect(statusLine(120, 485, 3, ' · about 42 s left', full.length)).toBe('[120/485] 3 failed');
    expect(statusLine(120, 485, 3, ' · about 42 s left', 19)).toBe('[120/485] 3 failed');
    expect(statusLine(120, 485, 3, ' · about 42 s left', 18)).toBe('120/485 ✗3');
    expect(statusLine(120, 485, 3, ' · about 42 s left', 8)).toBe('120/485');
    expect(statusLine(120, 485, 3, ' · about 42 s left', 5)).toBe('120…');
    for (let columns = 2; columns <= 60; columns++)
      expect(statusLine(120, 485, 3, ' · about 42 s left', columns).length).toBeLessThan(columns);
  });

  it('on a terminal, keeps one status line with counts and an ETA, and prints only what did not pass', () => {
    const text = drive(true);
    expect(text).not.toMatch(/https\.a\.one \(/);
    expect(text).toMatch(/✗ 2\/4 https\.a\.two/);
    expect(text).toMatch(/\[3\/4\] 1 failed · about \d+ s left/);
    expect(text).toMatch(/\r\x1b\[2K/);
  });
});
