import type { CaseResult } from '../run/result.js';
import type { Reporter } from './reporter.js';

const MARK = { pass: '✓', fail: '✗', skip: '-', error: '!', xfail: '~' } as const;

/** ETA from the cases done so far, once there is something to go on. */
function eta(done: number, total: number, elapsedMs: number): string {
  if (done < 3 || done >= total) return '';
  const seconds = Math.ceil(((total - done) * elapsedMs) / done / 1000);
  return ` · about ${seconds} s left`;
}

/** Lines of the client's stderr shown under a failure: often the client's own account of it ("No such file"). */
const STDERR_LINES = 3;
const STDERR_WIDTH = 200;

/** The last non-empty lines of what the client wrote to stderr, printable and bounded. */
export function stderrTail(r: CaseResult): string[] {
  const text = r.outcome?.stderr ?? '';
  return text
    .split(/\r?\n/)
    .map((l) => l.replace(/[\x00-\x08\x0b-\x1f\x7f]/g, '?').trimEnd())
    .filter(Boolean)
    .slice(-STDERR_LINES)
    .map((l) => (l.length > STDERR_WIDTH ? `${l.slice(0, STDERR_WIDTH)}…` : l));
}

/**
 * Progress while running, then a summary listing each failure with its
 * reason. On a terminal: one status line with counts and an ETA, rewritten in
 * place, and a line only for cases that did not pass. Elsewhere (CI logs,
 * pipes): one plain line per case.
 */
export function consoleReporter(out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stdout): Reporter {
  const live = Boolean(out.isTTY) && !process.env.CI;
  let total = 0;
  let done = 0;
  let failed = 0;
  let multi = false;
  let started = 0;
  const caseLine = (r: CaseResult): string => {
    const level = r.level === 'must' ? '' : ` [${r.level}]`;
    const why = r.status === 'pass' ? (r.stale ? ` — stale expectation: ${r.stale}` : '') : ` — ${r.reason ?? ''}`;
    const who = multi ? ` [${r.client}]` : '';
    return `${MARK[r.status]} ${String(done).padStart(String(total).length)}/${total} ${r.id}${who}${level} (${r.durationMs} ms)${why}\n`;
  };
  const clearStatus = (): void => void (live && out.write('\r\x1b[2K'));
  return {
    name: 'console',
    onBegin(info) {
      total = info.cases.length * info.clients.length;
      started = performance.now();
      multi = info.clients.length > 1;
      out.write(`conform: ${info.cases.length} case(s) against ${info.clients.join(', ')}, ${info.workers} worker(s)\n`);
    },
    onCaseEnd(r) {
      done++;
      if (r.status === 'fail' || r.status === 'error') failed++;
      const notable = r.status !== 'pass' || r.stale !== undefined || (r.level === 'info' && r.checks.some((k) => !k.met));
      clearStatus();
      if (!live || notable) out.write(caseLine(r));
      // Info cases are never failed, but what they observed is worth a line.
      if (r.level === 'info') for (const c of r.checks.filter((k) => !k.met)) out.write(`    noted: ${c.reason ?? `not: ${c.expectation}`}\n`);
      if (live) out.write(`[${done}/${total}] ${failed} failed${eta(done, total, performance.now() - started)}`.slice(0, (out.columns ?? 80) - 1));
    },
    onEnd(results, s) {
      clearStatus();
      const failures = results.filter((r) => r.status === 'fail' || r.status === 'error');
      if (failures.length) {
        out.write(`\nFailures:\n`);
        for (const r of failures) {
          const who = multi ? ` [${r.client}]` : '';
          out.write(`  ${r.status === 'error' ? 'ERROR' : r.level.toUpperCase()} ${r.id}${who}: ${r.reason ?? ''}\n`);
          for (const line of stderrTail(r)) out.write(`    stderr: ${line}\n`);
          out.write(`    rerun: ${r.repro}\n`);
        }
      }
      const should = s.failedShould ? ` (${s.failedShould} should)` : '';
      const expected = s.expectedFailures ? `, ${s.expectedFailures} expected failures` : '';
      const stale = s.stale ? `, ${s.stale} stale expectations` : '';
      out.write(`\n${s.passed} passed, ${s.failed} failed${should}, ${s.skipped} skipped${expected}${stale}, ${s.errors} errors in ${(s.durationMs / 1000).toFixed(1)} s\n`);
    },
  };
}
