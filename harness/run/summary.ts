import type { CaseResult } from './result.js';

export interface Summary {
  total: number;
  passed: number;
  /** Failures that fail the run: `must` ones, and `should` ones under --strict (JUnit's <failure> count). */
  failed: number;
  /** Failed `should` cases, whether or not they fail the run (they do only with --strict). */
  failedShould: number;
  /** Whether the run was strict: `should` failures counted as failures. */
  strict: boolean;
  skipped: number;
  /** Failures the client's known-results file predicted. */
  expectedFailures: number;
  /** Expectation-file entries that no longer happen. */
  stale: number;
  errors: number;
  durationMs: number;
  /** docs/contract.md: 0 no case failed, 1 a case failed, 2 harness fault or usage error. */
  exitCode: 0 | 1 | 2;
}

/**
 * Whether a result fails the run: a failed `must` case always, a failed
 * `should` case only with --strict. Every report asks this one question, so the
 * exit status, JUnit's <failure>s, TAP, the console and the HTML page agree.
 */
export function failsRun(r: CaseResult, strict: boolean): boolean {
  return r.status === 'fail' && (r.level !== 'should' || strict);
}

/** A failed `should` case that does not fail the run (no --strict): reported as a note, never as a failure. */
export function shouldNotMet(r: CaseResult, strict: boolean): boolean {
  return r.status === 'fail' && r.level === 'should' && !strict;
}

export function summarize(results: CaseResult[], durationMs: number, strict: boolean): Summary {
  const count = (pred: (r: CaseResult) => boolean): number => results.filter(pred).length;
  const failed = count((r) => failsRun(r, strict));
  const errors = count((r) => r.status === 'error');
  return {
    total: results.length,
    passed: count((r) => r.status === 'pass'),
    failed,
    failedShould: count((r) => r.status === 'fail' && r.level === 'should'),
    strict,
    skipped: count((r) => r.status === 'skip'),
    expectedFailures: count((r) => r.status === 'xfail'),
    stale: count((r) => r.stale !== undefined),
    errors,
    durationMs,
    exitCode: errors ? 2 : failed ? 1 : 0,
  };
}
