import { expectedVerdict, type ClientExpectations } from '../expectations.js';
import type { CaseResult } from './result.js';

/**
 * Applies a client's expectation file (`--expect FILE`): a listed failure that
 * happens is reported as expected (`xfail`) and does not fail the run; a listed
 * case that now passes is marked stale, so the file gets cleaned up.
 */
export function applyExpectations(result: CaseResult, expectations: ClientExpectations | undefined): CaseResult {
  if (!expectations) return result;
  const want = expectedVerdict(expectations, result.id);
  if (want.verdict === 'fail' && result.status === 'fail') {
    return { ...result, status: 'xfail', reason: `expected failure (${want.reason}): ${result.reason ?? ''}` };
  }
  if (want.verdict !== 'pass' && result.status === 'pass') {
    return { ...result, stale: `listed as an expected ${want.verdict} (${want.reason}) but passed` };
  }
  return result;
}
