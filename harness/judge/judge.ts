import type { ServerEvent } from '../../servers/shared/events.js';
import type { Case } from '../suite/case.js';
import { INVARIANTS, type InvariantName } from '../suite/expectations-schema.js';
import { EXIT_UNSUPPORTED } from '../clients/outcome.js';
import { evaluate, type Check } from './expectations.js';
import type { JudgeInput } from './input.js';
import { checkReached, reachPoint } from './reach.js';

export type { JudgeInput } from './input.js';

export type Status = 'pass' | 'fail' | 'skip' | 'error';

export interface Verdict {
  status: Status;
  /** One sentence: the first unmet expectation, or why it was skipped. */
  reason?: string;
  /** Every check made, met or not (info cases report these as observations). */
  checks: Check[];
}

/** Invariants that show something the client sent where it must not: evidence beats every other reason. */
function leakChecks(c: Case, input: JudgeInput): Check[] {
  const checks: Check[] = [];
  const on = (name: InvariantName): boolean => !c.allow.includes(name);
  /** Plaintext where TLS belonged: the first occurrence, with a preview of what the client sent. */
  const noPlaintext = (type: 'plaintext-on-tls-port' | 'plaintext-after-hello', expectation: string): void => {
    if (!on(type)) return;
    const found = input.events.filter((e): e is Extract<ServerEvent, { type: typeof type }> => e.type === type);
    const first = found[0];
    checks.push({
      met: !first,
      expectation,
      ...(first ? { reason: `${INVARIANTS[type]} ("${first.preview}")`, evidence: found.slice(0, 3) } : {}),
    });
  };
  noPlaintext('plaintext-on-tls-port', 'the client speaks TLS from the first byte on a TLS port');
  noPlaintext('plaintext-after-hello', 'nothing crosses in plaintext after the client’s ClientHello');
  if (on('plaintext-credentials') && input.job.requireTls) {
    const leaked = input.events.filter((e) => e.type === 'credentials' && e.layer === 'plaintext');
    checks.push({
      met: leaked.length === 0,
      expectation: 'no credentials cross in plaintext',
      ...(leaked.length ? { reason: INVARIANTS['plaintext-credentials'], evidence: leaked } : {}),
    });
  }
  return checks;
}

function hungCheck(c: Case, input: JudgeInput): Check[] {
  if (c.allow.includes('hung')) return [];
  return [
    {
      met: !input.outcome.hung,
      expectation: `the client finishes within its time limit (${input.job.timeoutMs} ms)`,
      ...(input.outcome.hung ? { reason: `${INVARIANTS.hung} and was killed` } : {}),
    },
  ];
}

/**
 * The verdict rests on the events, the outcome and the delivered data together,
 * never on the exit status alone, and only once the client was seen reaching the
 * point under test (reach.ts): a client that never got there fails, whatever it
 * exited with. An unsupported answer (89) skips the case unless the client already
 * leaked before giving up.
 */
export function judge(c: Case, input: JudgeInput): Verdict {
  const leaks = leakChecks(c, input);
  const reach = reachPoint(c, input.job);
  const reached = checkReached(reach, input.events);
  if (input.outcome.exitCode === EXIT_UNSUPPORTED && !input.outcome.hung) {
    // "Unsupported" excuses what the client did not do, never what it did: a prohibition it broke first still fails it.
    const prohibitions = c.expect.filter((e) => 'never' in e).map((e) => evaluate(e, input));
    const broken = [...leaks, ...prohibitions].find((k) => !k.met);
    if (broken && c.level !== 'info')
      return { status: 'fail', reason: broken.reason!, checks: [...leaks, ...prohibitions] };
    return {
      status: 'skip',
      reason: 'the client answered 89: unsupported',
      checks: [...leaks, reached, ...prohibitions],
    };
  }
  // A hang explains itself better than what it kept the client from reaching.
  const checks = [...leaks, ...hungCheck(c, input), reached, ...c.expect.map((e) => evaluate(e, input))];
  if (c.level === 'info') return { status: 'pass', checks };
  const unmet = checks.find((k) => !k.met);
  if (!unmet) return { status: 'pass', checks };
  const connected = input.events.some((e) => e.type === 'connect');
  if (unmet === reached && reach.unreached === 'skip' && !connected) {
    return {
      status: 'skip',
      reason: `inconclusive: ${reached.reason}; a refusal before connecting cannot be told on the wire from a client that never ran`,
      checks,
    };
  }
  if (unmet === reached && reach.unreached === 'not-applicable') {
    return { status: 'skip', reason: `not applicable to this client: ${reached.reason}`, checks };
  }
  return { status: 'fail', reason: unmet.reason ?? unmet.expectation, checks };
}
