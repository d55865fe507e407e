/**
 * A pass is earned: a judged case passes only when the client was seen reaching
 * the point the case tests (docs/contract.md, "How a case is judged"). A client that
 * never connected, or stopped before the server's certificate or scripted
 * misbehaviour was in front of it, proved nothing, whatever it exited with.
 *
 * The point is derived once for every case from what the case sets up, so no
 * suite file repeats it:
 *   - scripted faults: each one fired (the server records a `fault` event at the
 *     moment it carries one out: the refusal sent, the capability stripped, the
 *     reply injected), so the client was in front of it;
 *   - otherwise, a server that speaks TLS: a ClientHello arrived (the server's
 *     certificate and parameters were then put before the client);
 *   - otherwise: the protocol's first step (a connection; the SOCKS5 greeting).
 * A case can name its point itself (`reach:` in the suite file).
 */
import type { ServerEvent } from '../../servers/shared/events.js';
import type { Job } from '../../contract/job.js';
import { PROTOCOLS } from '../protocols.js';
import type { Case } from '../suite/case.js';
import type { EventMatcher } from '../suite/expectations-schema.js';
import { describeMatcher, matches, type Check } from './expectations.js';
import { explainRule, ruleName, type ScriptRule } from '../../servers/shared/script/schema.js';

/** One piece of evidence the client must have produced, with the words for its absence. */
interface Step {
  matcher: EventMatcher;
  /** What was missing, when it was: "no ClientHello". */
  missing: string;
}

export interface ReachPoint {
  /** The point, as a phrase: "its TLS handshake". */
  point: string;
  /** Evidence in the order the client must produce it; each one's absence names the gap. */
  steps: Step[];
  /** What a client that never connected gets: a failure, or a skip where an early refusal is indistinguishable on the wire. */
  unreached: 'fail' | 'skip' | 'not-applicable';
}

const CONNECT: Step = { matcher: 'connect', missing: 'no connection' };

/** The fault kinds a case's server options script (every protocol keeps them in `faults`). */
function faultKinds(options: unknown): string[] {
  const faults = (options as { faults?: unknown } | null)?.faults;
  if (!Array.isArray(faults)) return [];
  return [
    ...new Set(faults.map((f) => (f as { kind?: unknown }).kind).filter((k): k is string => typeof k === 'string')),
  ];
}

/** The script rules of a case's server options, if its protocol takes scripts. */
function scriptRules(options: unknown): ScriptRule[] {
  const script = (options as { script?: unknown } | null)?.script;
  return Array.isArray(script) ? (script as ScriptRule[]) : [];
}

/** Whether the client is to meet TLS (its protocol says how, e.g. an HTTPS target through a SOCKS5 tunnel). */
function speaksTls(c: Case, job: Job): boolean {
  return PROTOCOLS[c.protocol].meetsTls?.(job) ?? job.tls !== 'none';
}

export function reachPoint(c: Case, job: Job): ReachPoint {
  const first = PROTOCOLS[c.protocol].firstStep;
  const opening: Step[] = [CONNECT, ...(first ? [{ matcher: first.matcher, missing: first.missing }] : [])];
  const unreached = c.reach?.unreached ?? 'fail';
  if (c.reach?.events) {
    const steps = c.reach.events.map((m) => ({ matcher: m, missing: `no ${describeMatcher(m)}` }));
    return {
      point: c.reach.point ?? steps.map((s) => describeMatcher(s.matcher)).join(', then '),
      steps: [CONNECT, ...steps],
      unreached,
    };
  }
  const kinds = faultKinds(c.server);
  // An optional rule answers only some clients: it is no point every client must reach.
  const rules = scriptRules(c.server)
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => !rule.optional);
  const explain =
    (PROTOCOLS[c.protocol].explainRule as ((rule: ScriptRule, index: number) => string) | undefined) ?? explainRule;
  if (kinds.length || rules.length) {
    const steps: Step[] = [
      // A rule that never matched tested nothing: the author sees which.
      ...rules.map(({ rule, index }) => ({
        matcher: { type: 'fault' as const, name: ruleName(index) },
        missing: `${explain(rule, index).replace(/^rule (\d+): /, 'rule $1 never matched: ')}`,
      })),
      ...kinds.map((k) => ({ matcher: { type: 'fault' as const, name: k }, missing: `the fault ${k} never fired` })),
    ];
    const names = [...(rules.length ? [`${rules.length} script rule${rules.length > 1 ? 's' : ''}`] : []), ...kinds];
    return { point: `the scripted misbehaviour (${names.join(', ')})`, steps: [...opening, ...steps], unreached };
  }
  if (speaksTls(c, job))
    return {
      point: 'its TLS handshake',
      steps: [...opening, { matcher: 'client-hello', missing: 'connected, but sent no ClientHello' }],
      unreached,
    };
  return { point: first?.point ?? 'the server', steps: opening, unreached };
}

/** The reach check of a result's checklist: met, or the first missing piece of evidence. */
export function checkReached(reach: ReachPoint, events: ServerEvent[]): Check {
  const expectation = `the client reaches ${reach.point}`;
  const gap = reach.steps.find((s) => !events.some((e) => matches(e, s.matcher)));
  if (!gap) return { met: true, expectation };
  return { met: false, expectation, reason: `the client never reached ${reach.point} (${gap.missing})` };
}
