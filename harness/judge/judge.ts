import type { ServerEvent } from '../../servers/shared/events.js';
import type { Job } from '../job.js';
import type { Case } from '../suite/case.js';
import { INVARIANTS, type InvariantName } from '../suite/expectations-schema.js';
import { EXIT_UNSUPPORTED, type ClientOutcome } from '../clients/outcome.js';
import { evaluate, type Check } from './expectations.js';

export interface JudgeInput {
  events: ServerEvent[];
  job: Job;
  outcome: ClientOutcome;
  /** What the client wrote to CONFORM_OUTPUT_FILE (null: no file). */
  output: Buffer | null;
  /** What a correct client would have written. */
  expectedOutput?: Buffer;
  /** What the client was given to send (CONFORM_INPUT_FILE). */
  input?: Buffer;
  /** What the server received of it (null: nothing). */
  received?: Buffer | null;
}

export type Status = 'pass' | 'fail' | 'skip' | 'error';

export interface Verdict {
  status: Status;
  /** One sentence: the first unmet expectation, or why it was skipped. */
  reason?: string;
  /** Every check made, met or not (info cases report these as observations). */
  checks: Check[];
}

/** Invariants that hold for every case unless it opts out (DESIGN.md). */
function invariantChecks(c: Case, input: JudgeInput): Check[] {
  const checks: Check[] = [];
  const on = (name: InvariantName): boolean => !c.allow.includes(name);
  if (on('plaintext-on-tls-port')) {
    const found = input.events.filter((e) => e.type === 'plaintext-on-tls-port');
    const first = found[0] as Extract<ServerEvent, { type: 'plaintext-on-tls-port' }> | undefined;
    checks.push({
      met: !first,
      expectation: 'the client speaks TLS from the first byte on a TLS port',
      ...(first ? { reason: `${INVARIANTS['plaintext-on-tls-port']} ("${first.preview}")`, evidence: found.slice(0, 3) } : {}),
    });
  }
  if (on('plaintext-credentials') && input.job.requireTls) {
    const leaked = input.events.filter((e) => e.type === 'credentials' && e.layer === 'plaintext');
    checks.push({
      met: leaked.length === 0,
      expectation: 'no credentials cross in plaintext',
      ...(leaked.length ? { reason: INVARIANTS['plaintext-credentials'], evidence: leaked } : {}),
    });
  }
  if (on('hung')) {
    checks.push({
      met: !input.outcome.hung,
      expectation: `the client finishes within its time limit (${input.job.timeoutMs} ms)`,
      ...(input.outcome.hung ? { reason: `${INVARIANTS.hung} and was killed` } : {}),
    });
  }
  return checks;
}

/**
 * The verdict rests on the events, the outcome and the delivered data together,
 * never on the exit status alone. An unsupported answer (89) skips the case
 * unless the client already broke an invariant before giving up.
 */
export function judge(c: Case, input: JudgeInput): Verdict {
  const invariants = invariantChecks(c, input);
  if (input.outcome.exitCode === EXIT_UNSUPPORTED && !input.outcome.hung) {
    const broken = invariants.find((k) => !k.met);
    if (broken) return { status: 'fail', reason: broken.reason!, checks: invariants };
    return { status: 'skip', reason: 'the client answered 89: unsupported', checks: invariants };
  }
  const checks = [...invariants, ...c.expect.map((e) => evaluate(e, input))];
  const unmet = checks.find((k) => !k.met);
  if (c.level === 'info') return { status: 'pass', checks };
  return unmet ? { status: 'fail', reason: unmet.reason ?? unmet.expectation, checks } : { status: 'pass', checks };
}
