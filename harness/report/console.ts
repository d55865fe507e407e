import type { CaseResult } from '../run/result.js';
import { failsRun, shouldNotMet, type Summary } from '../run/summary.js';
import type { Reporter } from './reporter.js';

const MARK = { pass: '✓', fail: '✗', skip: '-', error: '!', xfail: '~' } as const;
/** A `should` failure that does not fail the run (no --strict): not a ✗. */
const NOTED = '△';

/** ETA from the cases done so far, once there is something to go on. */
function eta(done: number, total: number, elapsedMs: number): string {
  if (done < 3 || done >= total) return '';
  const seconds = Math.ceil(((total - done) * elapsedMs) / done / 1000);
  return ` · about ${seconds} s left`;
}

/**
 * The live status line, fitted to the terminal: it must stay shorter than
 * the width (a line that fills it leaves the cursor pending a wrap, and some
 * terminals then put the next `\r` rewrite on a new line), so on a narrow
 * terminal it drops whole parts (the ETA, then words) rather than cutting a
 * character off what it says.
 */
export function statusLine(done: number, total: number, failed: number, etaText: string, columns: number): string {
  const room = Math.max(1, columns - 1);
  const forms = [
    `[${done}/${total}] ${failed} failed${etaText}`,
    `[${done}/${total}] ${failed} failed`,
    `${done}/${total} ✗${failed}`,
    `${done}/${total}`,
  ];
  const fit = forms.find((f) => f.length <= room);
  return fit ?? `${forms.at(-1)!.slice(0, Math.max(0, room - 1))}…`;
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
export function consoleReporter(
  out: NodeJS.WritableStream & { isTTY?: boolean; columns?: number } = process.stdout,
): Reporter {
  const live = Boolean(out.isTTY) && !process.env.CI;
  let total = 0;
  let done = 0;
  let failed = 0;
  let multi = false;
  let strict = false;
  let started = 0;
  const caseLine = (r: CaseResult): string => {
    const noted = shouldNotMet(r, strict);
    const level = r.level === 'must' ? '' : ` [${r.level}${noted ? ', not failing the run without --strict' : ''}]`;
    const why = r.status === 'pass' ? (r.stale ? ` — stale known result: ${r.stale}` : '') : ` — ${r.reason ?? ''}`;
    const who = multi ? ` [${r.client}]` : '';
    return `${noted ? NOTED : MARK[r.status]} ${String(done).padStart(String(total).length)}/${total} ${r.id}${who}${level} (${r.durationMs} ms)${why}\n`;
  };
  const clearStatus = (): void => void (live && out.write('\r\x1b[2K'));
  return {
    name: 'console',
    onBegin(info) {
      total = info.cases.length * info.clients.length;
      started = performance.now();
      multi = info.clients.length > 1;
      strict = info.strict;
      // A merge replays results: it has files, not workers.
      const how =
        info.mergedFiles !== undefined
          ? `merged from ${info.mergedFiles} results file(s)`
          : info.workers
            ? `${info.workers} worker(s)`
            : `adaptive workers (from the cores, up to 32)`;
      out.write(`conform: ${info.cases.length} case(s) against ${info.clients.join(', ')}, ${how}\n`);
      const shard = info.selection?.shard;
      if (shard && !info.cases.length)
        out.write(
          `conform: shard ${shard.index}/${shard.total} holds none of the selected cases; its empty results still count for merge\n`,
        );
    },
    onCaseEnd(r) {
      done++;
      if (failsRun(r, strict) || r.status === 'error') failed++;
      const notable =
        r.status !== 'pass' || r.stale !== undefined || (r.level === 'info' && r.checks.some((k) => !k.met));
      clearStatus();
      if (!live || notable) out.write(caseLine(r));
      // Info cases are never failed, but what they observed is worth a line.
      if (r.level === 'info')
        for (const c of r.checks.filter((k) => !k.met))
          out.write(`    noted: ${c.reason ?? `not: ${c.expectation}`}\n`);
      if (live)
        out.write(statusLine(done, total, failed, eta(done, total, performance.now() - started), out.columns || 80));
    },
    onEnd(results, s) {
      clearStatus();
      const listCase = (r: CaseResult, label: string): void => {
        const who = multi ? ` [${r.client}]` : '';
        out.write(`  ${label} ${r.id}${who}: ${r.reason ?? ''}\n`);
        for (const line of stderrTail(r)) out.write(`    stderr: ${line}\n`);
        out.write(`    rerun: ${r.repro}\n`);
      };
      const failures = results.filter((r) => failsRun(r, s.strict) || r.status === 'error');
      if (failures.length) {
        out.write(`\nFailures:\n`);
        for (const r of failures) listCase(r, r.status === 'error' ? 'ERROR' : r.level.toUpperCase());
      }
      const noted = results.filter((r) => shouldNotMet(r, s.strict));
      if (noted.length) {
        out.write(`\nShould-level expectations not met (they fail the run only with --strict):\n`);
        for (const r of noted) listCase(r, 'SHOULD');
      }
      out.write(`\n${summaryLine(s)}\n`);
    },
  };
}

/** The run's one-line result: its counts agree with the exit status, JUnit's <failure>s and the JSON summary. */
export function summaryLine(s: Summary): string {
  const should = s.strict && s.failedShould ? ` (${s.failedShould} should)` : '';
  const noted = !s.strict && s.failedShould ? `, ${s.failedShould} should not met (not failing without --strict)` : '';
  const expected = s.expectedFailures ? `, ${s.expectedFailures} expected failures` : '';
  const stale = s.stale ? `, ${s.stale} stale known results` : '';
  return `${s.passed} passed, ${s.failed} failed${should}${noted}, ${s.skipped} skipped${expected}${stale}, ${s.errors} errors in ${(s.durationMs / 1000).toFixed(1)} s`;
}
