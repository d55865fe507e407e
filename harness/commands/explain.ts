import { describeMatcher } from '../judge/expectations.js';
import type { Case } from '../suite/case.js';
import { PROTOCOLS } from '../protocols.js';
import type { Expectation } from '../suite/expectations-schema.js';
import { INVARIANTS, INVARIANT_NAMES } from '../suite/expectations-schema.js';

function describeExpectation(e: Expectation): string {
  if ('outcome' in e) return `the client's outcome is ${e.outcome}`;
  if ('event' in e) return `the server records ${describeMatcher(e.event)}`;
  if ('never' in e) return `the server never records ${describeMatcher(e.never)}`;
  if ('order' in e) return `in order: ${e.order.map(describeMatcher).join(' < ')}`;
  if ('firstAfter' in e)
    return `the first ${describeMatcher(e.firstAfter.among)} after ${describeMatcher(e.firstAfter.after)} is ${describeMatcher(e.firstAfter.next)}`;
  if ('count' in e) return `${describeMatcher(e.count.of)} recorded ${e.count.min ?? 0}..${e.count.max ?? '∞'} times`;
  if ('clientHello' in e) return `every ClientHello: ${JSON.stringify(e.clientHello)}`;
  if ('delivered' in e) return `what the server receives: ${e.delivered}`;
  if ('neverPrinted' in e) return `the client prints nothing matching /${e.neverPrinted}/`;
  if ('printed' in e) return `the client prints something matching /${e.printed}/`;
  return 'the output file equals what was served';
}

function faultLines(c: Case): string[] {
  const faults = PROTOCOLS[c.protocol].describeFaults(c.server);
  return faults.length ? ['server misbehaviour:', ...faults.map((f) => `  - ${f}`), ''] : [];
}

/** `explain CASE`: everything a developer needs to understand one case. */
export function explainCase(c: Case): string {
  const invariants = INVARIANT_NAMES.filter((n) => !c.allow.includes(n)).map((n) => `  - not: ${INVARIANTS[n]}`);
  return [
    `${c.id} [${c.level}]`,
    c.title,
    ...(c.description ? ['', c.description] : []),
    '',
    `references: ${c.refs.join(', ')}`,
    `defined at: ${c.source.file}:${c.source.line}`,
    '',
    ...faultLines(c),
    `server options (${c.protocol}, defaults filled in):`,
    ...JSON.stringify(c.server, null, 2)
      .split('\n')
      .map((l) => `  ${l}`),
    '',
    'job:',
    ...Object.entries(c.job).map(([k, v]) => `  ${k}: ${JSON.stringify(v)}`),
    '',
    'expectations:',
    ...c.expect.map((e) => `  - ${describeExpectation(e)}`),
    'invariants:',
    ...invariants,
    ...(c.witnesses
      ? [
          '',
          `witnesses: passes with "${c.witnesses.pass}", fails with ${c.witnesses.fail.map((f) => `"${f}"`).join(', ')}`,
        ]
      : []),
    '',
  ].join('\n');
}
