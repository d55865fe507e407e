/**
 * Every judged case can fail and can pass: it is run against its pass witness
 * (which must pass it) and each fail witness (which must fail it). A case that
 * cannot fail, or that a correct client cannot pass, is caught here.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, runCases } from '../harness/conform.js';
import { profileClient } from '../harness/clients/profiles.js';

/**
 * On a loaded 2-core machine a reference client that gives up on time may
 * still exit late. Extra grace keeps that from reading as hung; a flaw that
 * never gives up (no-timeout) is still killed and judged hung.
 */
const TEST_GRACE_MS = 2500;
/**
 * Witness groups run side by side, each with the adaptive scheduler (harness/run/pool.ts). Most of
 * them wait (a flaw that never gives up, a peer that never comes): 3 at once left the cores idle
 * for half the fail-witness run (22 s); 6 took 15 s, 12 no less.
 */
const GROUPS_AT_ONCE = 6;
import { findExecutable } from '../harness/clients/which.js';
import type { Case } from '../harness/suite/case.js';
import type { CaseResult } from '../harness/run/result.js';

let cases: Case[] = [];
beforeAll(async () => {
  cases = await loadCatalogue();
});

/** Runs each witness spec once over all the cases that name it. */
async function runWitnesses(pick: (c: Case) => string[]): Promise<Map<string, CaseResult>> {
  const bySpec = new Map<string, Case[]>();
  for (const c of cases.filter((x) => x.witnesses))
    for (const spec of pick(c)) bySpec.set(spec, [...(bySpec.get(spec) ?? []), c]);
  const results = new Map<string, CaseResult>();
  // The largest groups first: a long lane started last would end the run alone.
  const queue = [...bySpec]
    .filter(([spec]) => {
      const program = spec.split(/\s+/)[0]!;
      return program === 'reference' || findExecutable(program);
    })
    .sort((a, b) => b[1].length - a[1].length);
  // Most witness groups are a flaw and a case or three, often waiting on a stall: several groups at once
  // keep the cores busy instead of queueing each group's waits behind the last one's.
  const runNext = async (): Promise<void> => {
    for (let next = queue.shift(); next; next = queue.shift()) {
      const [spec, group] = next;
      for (const r of await runCases(group, profileClient(spec), { graceMs: TEST_GRACE_MS }))
        results.set(`${spec} :: ${r.id}`, r);
    }
  };
  await Promise.all(Array.from({ length: GROUPS_AT_ONCE }, runNext));
  return results;
}

/**
 * An info case never fails a run: it passes and reports its checks as
 * observations. One with witnesses is held to them all the same: its pass
 * witness meets every check, a fail witness leaves one unmet.
 */
function verdictOf(r: CaseResult): CaseResult['status'] {
  if (r.level !== 'info' || r.status !== 'pass') return r.status;
  return r.checks.every((k) => k.met) ? 'pass' : 'fail';
}

describe('witnesses', () => {
  it('every must and should case names a pass witness and at least one fail witness', () => {
    const missing = cases.filter((c) => c.level !== 'info' && (!c.witnesses?.pass || !c.witnesses.fail.length));
    expect(missing.map((c) => c.id)).toEqual([]);
    expect(cases.filter((c) => c.level !== 'info').length).toBeGreaterThanOrEqual(45);
  });

  it('each pass witness passes its cases', { timeout: 300_000 }, async () => {
    const results = await runWitnesses((c) => [c.witnesses!.pass]);
    const wrong = [...results]
      .filter(([, r]) => verdictOf(r) !== 'pass')
      .map(([k, r]) => `${k}: ${r.status} ${r.reason ?? ''}`);
    expect(wrong).toEqual([]);
    expect(results.size).toBeGreaterThan(0);
  });

  it('each fail witness fails its cases, by the case’s own expectations', { timeout: 300_000 }, async () => {
    const results = await runWitnesses((c) => c.witnesses!.fail);
    const wrong = [...results]
      .filter(([, r]) => verdictOf(r) !== 'fail')
      .map(([k, r]) => `${k}: ${r.status} ${r.reason ?? ''}`);
    expect(wrong).toEqual([]);
    expect(results.size).toBeGreaterThanOrEqual(cases.filter((c) => c.witnesses).length);
  });

  it('the reference client passes, as a separate process, one case of every group of every suite', async () => {
    // The in-process profile runs every case above; a process per case costs a Node
    // start-up each, so one case per group shows the process form behaves the same.
    const groups = new Map<string, Case>();
    for (const c of cases)
      if (!groups.has(c.id.split('.').slice(0, 2).join('.'))) groups.set(c.id.split('.').slice(0, 2).join('.'), c);
    const sample = [...groups.values()];
    const results = await runCases(sample, profileClient('reference-cli'), { workers: 4, graceMs: TEST_GRACE_MS });
    const notPassed = results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status} ${r.reason ?? ''}`);
    expect(notPassed).toEqual([]);
    expect(sample.length).toBeGreaterThanOrEqual(20);
  }, 180_000);
});
