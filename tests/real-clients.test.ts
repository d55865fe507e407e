/**
 * Real clients against the real HTTPS suite. Each strict client's verdicts match
 * its expectation file, where every expected failure carries the reason found by
 * investigating it. A new failure is a regression in the suite or a change in the
 * client; a listed case that starts passing means the file is stale. Either way,
 * look before editing it.
 * A machine without a program skips its block (CI installs curl, python3, wget).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, runCases } from '../harness/conform.js';
import { profileClient } from '../harness/clients/profiles.js';
import { findExecutable } from '../harness/clients/which.js';
import type { CaseResult } from '../harness/run/result.js';
import type { Case } from '../harness/suite/case.js';
import { join } from 'node:path';
import { expectedVerdict, loadExpectations, type ClientExpectations } from '../harness/expectations.js';

let https: Case[] = [];
beforeAll(async () => {
  https = (await loadCatalogue()).filter((c) => c.protocol === 'https');
});

/**
 * Each strict client's run matches its expectation file (clients/expectations/<profile>.yaml)
 * exactly: every listed failure and skip happens, and nothing else fails or errors.
 */
function matchesExpectations(profile: string, program: string): void {
  describe.skipIf(!findExecutable(program))(`${profile} against the https suite`, () => {
    let results: CaseResult[] = [];
    let known: ClientExpectations;
    beforeAll(async () => {
      known = await loadExpectations(join(import.meta.dirname, `../clients/expectations/${profile}.yaml`));
      results = await runCases(https, profileClient(profile), { workers: 4 });
    }, 90_000);

    it('runs every case without a harness error', () => {
      expect(results).toHaveLength(https.length);
      expect(results.filter((r) => r.status === 'error').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    });

    it('gets exactly the verdicts its expectation file records', () => {
      const surprises = results
        .filter((r) => r.level !== 'info')
        .map((r) => ({ r, want: expectedVerdict(known, r.id).verdict }))
        .filter(({ r, want }) => r.status !== want)
        .map(({ r, want }) => `${r.id}: expected ${want}, got ${r.status} (${r.reason ?? ''})`);
      expect(surprises).toEqual([]);
    });

    it('lists only cases that exist', () => {
      const ids = new Set(https.map((c) => c.id));
      expect([...Object.keys(known.fail), ...Object.keys(known.skip)].filter((id) => id.startsWith('https.') && !ids.has(id))).toEqual([]);
    });
  });
}

matchesExpectations('curl', 'curl');
matchesExpectations('python', 'python3');
matchesExpectations('wget', 'wget');

describe.skipIf(!findExecutable('curl'))('curl -k (curl-insecure)', () => {
  it('fails every certificate and hostname case that expects a refusal, having sent its request', async () => {
    const refusals = https.filter(
      (c) => /^https\.(certificate|hostname)\./.test(c.id) && c.expect.some((e) => 'outcome' in e && e.outcome === 'failure'),
    );
    expect(refusals.length).toBeGreaterThanOrEqual(15);
    const results = await runCases(refusals, profileClient('curl-insecure'), { workers: 4 });
    const caught = results.filter(
      (r) => r.status === 'fail' && /reported success|recorded command/.test(r.reason ?? '') && r.events.some((e) => e.type === 'command'),
    );
    const missed = results.filter((r) => !caught.includes(r)).map((r) => `${r.id}: ${r.status} ${r.reason ?? ''}`);
    expect(missed).toEqual([]);
  });
});
