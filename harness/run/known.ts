import { knownVerdict, type KnownResults } from '../known-results.js';
import type { CaseResult } from './result.js';

/**
 * Applies a client's known-results file (`--known-results FILE`): a listed failure that
 * happens is reported as expected (`xfail`) and does not fail the run; a listed
 * case that now passes is marked stale, so the file gets cleaned up.
 */
export function applyKnownResults(result: CaseResult, expectations: KnownResults | undefined): CaseResult {
  if (!expectations) return result;
  const want = knownVerdict(expectations, result.id);
  if (want.verdict === 'fail' && result.status === 'fail') {
    return { ...result, status: 'xfail', reason: `expected failure (${want.reason}): ${result.reason ?? ''}` };
  }
  if (want.verdict !== 'pass' && result.status === 'pass') {
    return { ...result, stale: `listed as an expected ${want.verdict} (${want.reason}) but passed` };
  }
  return result;
}
