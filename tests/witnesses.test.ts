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
  for (const c of cases.filter((x) => x.witnesses)) for (const spec of pick(c)) bySpec.set(spec, [...(bySpec.get(spec) ?? []), c]);
  const results = new Map<string, CaseResult>();
  for (const [spec, group] of bySpec) {
    const program = spec.split(/\s+/)[0]!;
    if (program !== 'reference' && !findExecutable(program)) continue;
    for (const r of await runCases(group, profileClient(spec), { workers: 4, graceMs: TEST_GRACE_MS })) results.set(`${spec} :: ${r.id}`, r);
  }
  return results;
}

describe('witnesses', () => {
  it('every must and should case names a pass witness and at least one fail witness', () => {
    const missing = cases.filter((c) => c.level !== 'info' && (!c.witnesses?.pass || !c.witnesses.fail.length));
    expect(missing.map((c) => c.id)).toEqual([]);
    expect(cases.filter((c) => c.level !== 'info').length).toBeGreaterThanOrEqual(45);
  });

  it('each pass witness passes its cases', async () => {
    const results = await runWitnesses((c) => [c.witnesses!.pass]);
    const wrong = [...results].filter(([, r]) => r.status !== 'pass').map(([k, r]) => `${k}: ${r.status} ${r.reason ?? ''}`);
    expect(wrong).toEqual([]);
    expect(results.size).toBeGreaterThan(0);
  });

  it('each fail witness fails its cases, by the case’s own expectations', async () => {
    const results = await runWitnesses((c) => c.witnesses!.fail);
    const wrong = [...results].filter(([, r]) => r.status !== 'fail').map(([k, r]) => `${k}: ${r.status} ${r.reason ?? ''}`);
    expect(wrong).toEqual([]);
    expect(results.size).toBeGreaterThanOrEqual(cases.filter((c) => c.witnesses).length);
  });
});

describe('the reference client as a process', () => {
  it('passes every case, exactly as the in-process profile does', async () => {
    const results = await runCases(cases, profileClient('reference-cli'), { workers: 4, graceMs: TEST_GRACE_MS });
    const notPassed = results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.status} ${r.reason ?? ''}`);
    expect(notPassed).toEqual([]);
  });
});
