import type { CaseResult } from './result.js';

export interface Summary {
  total: number;
  passed: number;
  failed: number;
  /** Failed `should` cases (fail the run only with --strict). */
  failedShould: number;
  skipped: number;
  /** Failures the client's expectation file predicted. */
  expectedFailures: number;
  /** Expectation-file entries that no longer happen. */
  stale: number;
  errors: number;
  durationMs: number;
  /** CONTRACT.md: 0 no case failed, 1 a case failed, 2 harness fault or usage error. */
  exitCode: 0 | 1 | 2;
}

export function summarize(results: CaseResult[], durationMs: number, strict: boolean): Summary {
  const count = (pred: (r: CaseResult) => boolean): number => results.filter(pred).length;
  const failedMust = count((r) => r.status === 'fail' && r.level === 'must');
  const failedShould = count((r) => r.status === 'fail' && r.level === 'should');
  const errors = count((r) => r.status === 'error');
  const failing = failedMust + (strict ? failedShould : 0);
  return {
    total: results.length,
    passed: count((r) => r.status === 'pass'),
    failed: failedMust + failedShould,
    failedShould,
    skipped: count((r) => r.status === 'skip'),
    expectedFailures: count((r) => r.status === 'xfail'),
    stale: count((r) => r.stale !== undefined),
    errors,
    durationMs,
    exitCode: errors ? 2 : failing ? 1 : 0,
  };
}
