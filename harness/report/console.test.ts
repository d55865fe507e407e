import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from '../run/result.js';
import { summarize } from '../run/summary.js';
import { consoleReporter } from './console.js';

const result = (id: string, status: CaseResult['status']): CaseResult => ({
  id, title: id, protocol: 'https', level: 'must', refs: ['RFC 1'], client: 'reference', status,
  ...(status === 'fail' ? { reason: 'the client reported success (exit 0)' } : {}),
  checks: [], faults: [], events: [], durationMs: 12, repro: `npm run conform -- --grep '^${id}$'`,
});

function drive(tty: boolean): string {
  const stream = Object.assign(new PassThrough(), { isTTY: tty, columns: 100 });
  let text = '';
  stream.on('data', (d: Buffer) => (text += d.toString()));
  const saved = process.env.CI;
  delete process.env.CI;
  const reporter = consoleReporter(stream);
  const results = [result('https.a.one', 'pass'), result('https.a.two', 'fail'), result('https.a.three', 'pass'), result('https.a.four', 'pass')];
  (reporter as { onBegin: (i: unknown) => void }).onBegin({ cases: new Array(4), clients: ['reference'], workers: 2 });
  for (const r of results) reporter.onCaseEnd!(r);
  reporter.onEnd!(results, summarize(results, 1000, false));
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

  it('on a terminal, keeps one status line with counts and an ETA, and prints only what did not pass', () => {
    const text = drive(true);
    expect(text).not.toMatch(/https\.a\.one \(/);
    expect(text).toMatch(/✗ 2\/4 https\.a\.two/);
    expect(text).toMatch(/\[3\/4\] 1 failed · about \d+ s left/);
    expect(text).toMatch(/\r\x1b\[2K/);
  });
});
