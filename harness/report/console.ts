import type { Reporter } from './reporter.js';

const MARK = { pass: '✓', fail: '✗', skip: '-', error: '!', xfail: '~' } as const;

/** Progress while running (one line per case), then a summary listing each failure with its reason. */
export function consoleReporter(out: NodeJS.WritableStream = process.stdout): Reporter {
  let total = 0;
  let done = 0;
  let multi = false;
  return {
    name: 'console',
    onBegin(info) {
      total = info.cases.length * info.clients.length;
      out.write(`conform: ${info.cases.length} case(s) against ${info.clients.join(', ')}, ${info.workers} worker(s)\n`);
      multi = info.clients.length > 1;
    },
    onCaseEnd(r) {
      done++;
      const level = r.level === 'must' ? '' : ` [${r.level}]`;
      const why = r.status === 'pass' ? (r.stale ? ` — stale expectation: ${r.stale}` : '') : ` — ${r.reason ?? ''}`;
      const who = multi ? ` [${r.client}]` : '';
      out.write(`${MARK[r.status]} ${String(done).padStart(String(total).length)}/${total} ${r.id}${who}${level} (${r.durationMs} ms)${why}\n`);
      // Info cases are never failed, but what they observed is worth a line.
      if (r.level === 'info') for (const c of r.checks.filter((k) => !k.met)) out.write(`    noted: ${c.reason ?? `not: ${c.expectation}`}\n`);
    },
    onEnd(results, s) {
      const failures = results.filter((r) => r.status === 'fail' || r.status === 'error');
      if (failures.length) {
        out.write(`\nFailures:\n`);
        for (const r of failures) {
          const who = multi ? ` [${r.client}]` : '';
          out.write(`  ${r.status === 'error' ? 'ERROR' : r.level.toUpperCase()} ${r.id}${who}: ${r.reason ?? ''}\n    rerun: ${r.repro}\n`);
        }
      }
      const should = s.failedShould ? ` (${s.failedShould} should)` : '';
      const expected = s.expectedFailures ? `, ${s.expectedFailures} expected failures` : '';
      const stale = s.stale ? `, ${s.stale} stale expectations` : '';
      out.write(`\n${s.passed} passed, ${s.failed} failed${should}, ${s.skipped} skipped${expected}${stale}, ${s.errors} errors in ${(s.durationMs / 1000).toFixed(1)} s\n`);
    },
  };
}
