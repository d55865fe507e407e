import { UsageError } from '../errors.js';
import { PROTOCOLS } from '../protocols.js';
import type { Case } from './case.js';
import type { EventMatcher, Expectation } from './expectations-schema.js';

/** Flaws the reference client knows, to check that witnesses name real ones. */
export interface CheckContext {
  knownFlaws: ReadonlySet<string>;
  knownClients: ReadonlySet<string>;
}

function matchers(e: Expectation): EventMatcher[] {
  if ('event' in e) return [e.event];
  if ('never' in e) return [e.never];
  if ('order' in e) return e.order;
  if ('firstAfter' in e) return [e.firstAfter.after, e.firstAfter.next, e.firstAfter.among];
  if ('count' in e) return [e.count.of];
  return [];
}

/** Flaw names in a witness spec such as `reference --flaw skip-verify`. */
export function flawsOf(witness: string): string[] {
  const words = witness.trim().split(/\s+/);
  return words.flatMap((w, i) => (words[i - 1] === '--flaw' ? [w] : []));
}

/** A reference that can hold a requirement: an RFC section, or a CVE naming the weakness. */
const REQUIREMENT_REF = /^(?:RFC \d+ §\S.*|CVE-\d{4}-\d{4,})$/;
/** A quoted passage holding an RFC 2119 requirement keyword, as the RFC writes it. */
const QUOTED_REQUIREMENT = /["“][^"”]*\b(?:MUST|REQUIRED|SHALL)\b[^"”]*["”]/;

/**
 * Levels follow the RFC keywords (RFC 2119): a `must` case cites where the
 * requirement stands (an RFC section or a CVE) and quotes it (the sentence with
 * its MUST / REQUIRED / SHALL) or names the CVE in its description, so a
 * reader can check the level against the text. Says what is missing, or nothing.
 */
export function levelProblem(c: Pick<Case, 'level' | 'refs' | 'description'>): string | undefined {
  if (c.level !== 'must') return undefined;
  if (!c.refs.some((r) => REQUIREMENT_REF.test(r)))
    return 'a must case cites an RFC section ("RFC 3207 §4") or a CVE in its refs';
  const text = c.description ?? '';
  const cves = c.refs.filter((r) => r.startsWith('CVE-'));
  if (QUOTED_REQUIREMENT.test(text) || cves.some((cve) => text.includes(cve))) return undefined;
  return 'a must case quotes its requirement in its description (the sentence with MUST, MUST NOT, REQUIRED or SHALL, in double quotes) or names the CVE of its refs; otherwise it is should or info';
}

/**
 * The startup consistency check of the catalogue (as BoringSSL's runner does):
 * unique ids, id prefix equals the protocol, witnesses for every judged case,
 * levels that follow the RFC keywords,
 * witnesses naming known clients and flaws, expectations about events the
 * protocol's servers actually emit.
 */
export function checkCatalogue(cases: Case[], ctx: CheckContext): void {
  const problems: string[] = [];
  const seen = new Map<string, Case>();
  for (const c of cases) {
    const where = `${c.source.file}:${c.source.line}: case ${c.id}`;
    const first = seen.get(c.id);
    if (first) problems.push(`${where}: duplicate id (first at ${first.source.file}:${first.source.line})`);
    seen.set(c.id, c);
    if (!c.id.startsWith(`${c.protocol}.`)) problems.push(`${where}: id must start with "${c.protocol}." (its folder)`);
    if (c.level !== 'info' && !c.witnesses) problems.push(`${where}: a ${c.level} case needs witnesses { pass, fail }`);
    const level = levelProblem(c);
    if (level) problems.push(`${where}: ${level}`);
    for (const w of c.witnesses ? [c.witnesses.pass, ...c.witnesses.fail] : []) {
      const client = w.trim().split(/\s+/)[0]!;
      if (!ctx.knownClients.has(client)) problems.push(`${where}: witness "${w}" names unknown client "${client}"`);
      for (const flaw of flawsOf(w))
        if (!ctx.knownFlaws.has(flaw)) problems.push(`${where}: witness "${w}" names unknown flaw "${flaw}"`);
    }
    const emits = new Set(PROTOCOLS[c.protocol].emits);
    for (const m of c.expect.flatMap(matchers)) {
      const type = typeof m === 'string' ? m : m.type;
      if (!emits.has(type))
        problems.push(`${where}: expects event "${type}", which ${c.protocol} servers never record`);
    }
  }
  if (problems.length)
    throw new UsageError('CATALOGUE_INCONSISTENT', `the case catalogue is inconsistent:\n${problems.join('\n')}`);
}
