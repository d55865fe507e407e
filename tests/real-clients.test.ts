/**
 * Real clients against the real suites. Each client's verdicts match its
 * known-results file (clients/known-results/<profile>.yaml), where every expected
 * failure carries the reason found by investigating it. A new failure is a
 * regression in the suite or a change in the client; a listed case that starts
 * passing means the file is stale. Either way, look before editing it.
 * A machine without a program, or whose program cannot speak TLS (swaks
 * without Net::SSLeay, a curl without a TLS backend), skips its block and says
 * why, in the test's name and skip note and on standard output (CI installs
 * the Debian clients with their TLS libraries; nodemailer comes with npm ci).
 *
 * `npm test` runs each client on a stable sixteenth of its cases (shard 1/16
 * by case id, so every protocol and most kinds of case are met), to keep the
 * suite within its time budget: the clients' start-ups keep both cores busy
 * (an eighth took 43 s here, a sixteenth 29 s). CONFORM_REAL_CLIENTS=all runs
 * every case, as `.ci/run` does on every CI run (`npm run test:clients`).
 * CONFORM_REAL_CLIENT_PROTOCOLS=imap,pop3 keeps only those protocols' cases
 * (working on one protocol's clients without running every other suite).
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, runCases } from '../harness/conform.js';
import { PROFILE_NAMES, profileClient, profileUnavailable } from '../harness/clients/profiles.js';
import { PROTOCOLS } from '../harness/protocols.js';
import { knownVerdict, loadKnownResults, type KnownResults } from '../harness/known-results.js';
import type { Protocol } from '../harness/protocols.js';
import type { CaseResult } from '../harness/run/result.js';
import type { Case } from '../harness/suite/case.js';
import { shardOf } from '../harness/run/select.js';

/** The cases a client runs here: all of them, or a stable sixteenth (see above). */
const SAMPLE = process.env.CONFORM_REAL_CLIENTS === 'all' ? undefined : 16;
const sampled = (c: Case): boolean => SAMPLE === undefined || shardOf(c.id, SAMPLE) === 0;
/** The protocols whose cases run here: CONFORM_REAL_CLIENT_PROTOCOLS (comma-separated), else all. */
const ONLY = process.env.CONFORM_REAL_CLIENT_PROTOCOLS?.split(',')
  .map((p) => p.trim())
  .filter(Boolean);
const chosen = (p: string): boolean => !ONLY?.length || ONLY.includes(p);

let catalogue: Case[] = [];
beforeAll(async () => {
  catalogue = await loadCatalogue();
});

/** Every real client profile, why it cannot run here (if so), and the protocols it speaks that have suites. */
const CLIENTS = PROFILE_NAMES.filter((name) => !/^reference|insecure$/.test(name)).map((profile) => {
  const unavailable = profileUnavailable(profile);
  const protocols = (unavailable ? [] : profileClient(profile).protocols).filter(
    (p) => PROTOCOLS[p] && chosen(p),
  ) as Protocol[];
  return { profile, unavailable, protocols };
});

/** A profile that cannot run here: one skipped test that names the reason, and the reason on standard output. */
function skipUnavailable(title: string, profile: string, reason: string): void {
  describe(title, () => {
    it(`skipped: ${profile} ${reason}`, (ctx) => {
      process.stdout.write(`real client ${profile}: skipped, ${profile} ${reason}\n`);
      ctx.skip(`${profile} ${reason}`);
    });
  });
}

/** A client's known-results file and every part beside it (`<profile>.<protocol>.yaml`, `<profile>.revocation.yaml`). */
async function expectationsOf(profile: string): Promise<KnownResults> {
  const dir = join(import.meta.dirname, '../clients/known-results');
  const parts = readdirSync(dir)
    .filter((f) => f === `${profile}.yaml` || (f.startsWith(`${profile}.`) && f.endsWith('.yaml')))
    .sort()
    .map((f) => join(dir, f));
  const loaded = await Promise.all(parts.map(loadKnownResults));
  return {
    client: loaded[0]?.client ?? profile,
    fail: Object.assign({}, ...loaded.map((l) => l.fail)),
    skip: Object.assign({}, ...loaded.map((l) => l.skip)),
  };
}

/** Per protocol: `https 57 pass / 3 fail / 0 skip` (expected failures count as failures). */
function summary(results: CaseResult[]): string {
  const by = new Map<string, Record<string, number>>();
  for (const r of results) {
    const counts = by.get(r.protocol) ?? { pass: 0, fail: 0, skip: 0, error: 0 };
    counts[r.status] = (counts[r.status] ?? 0) + 1;
    by.set(r.protocol, counts);
  }
  return [...by]
    .map(([p, c]) => `${p} ${c.pass} pass / ${c.fail} fail / ${c.skip} skip${c.error ? ` / ${c.error} error` : ''}`)
    .join('; ');
}

/** Profiles run side by side, each with the adaptive scheduler: most of a run is waiting on stalls and time limits. */
const PROFILES_AT_ONCE = 2;
const runs = new Map<string, Promise<CaseResult[]>>();

/** Starts every available profile's run once, PROFILES_AT_ONCE at a time; each block awaits its own. */
function runOf(profile: string): Promise<CaseResult[]> {
  if (!runs.size) {
    const queue = CLIENTS.filter((c) => !c.unavailable && c.protocols.length);
    const settle = new Map<string, (run: Promise<CaseResult[]>) => void>();
    for (const { profile: name } of queue) runs.set(name, new Promise((resolve) => settle.set(name, resolve)));
    const lane = async (): Promise<void> => {
      for (let next = queue.shift(); next; next = queue.shift()) {
        const { profile: name, protocols } = next;
        const run = runCases(
          catalogue.filter((c) => protocols.includes(c.protocol) && sampled(c)),
          profileClient(name),
        );
        settle.get(name)!(run);
        await run.catch(() => undefined);
      }
    };
    for (let i = 0; i < PROFILES_AT_ONCE; i++) void lane();
  }
  return runs.get(profile)!;
}

for (const { profile, unavailable, protocols } of CLIENTS) {
  if (unavailable) {
    skipUnavailable(profile, profile, unavailable);
    continue;
  }
  describe.skipIf(!protocols.length)(`${profile} (${protocols.join(', ')})`, () => {
    let results: CaseResult[] = [];
    let known: KnownResults;
    let cases: Case[] = [];
    beforeAll(async () => {
      known = await expectationsOf(profile);
      cases = catalogue.filter((c) => protocols.includes(c.protocol) && sampled(c));
      results = await runOf(profile);
      // The figures the closing notes quote, from this very run.
      process.stdout.write(`real client ${profile}: ${summary(results)}\n`);
    }, 240_000);

    it('runs every case without a harness error', () => {
      expect(results).toHaveLength(cases.length);
      expect(results.filter((r) => r.status === 'error').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
    });

    it('gets exactly the verdicts its known-results file records', () => {
      const surprises = results
        .filter((r) => r.level !== 'info')
        .map((r) => ({ r, want: knownVerdict(known, r.id).verdict }))
        .filter(({ r, want }) => r.status !== want)
        .map(({ r, want }) => `${r.id}: expected ${want}, got ${r.status} (${r.reason ?? ''})`);
      // The list in the message too: reporters that elide long arrays (JSON, CI logs) still show it.
      expect(surprises, surprises.join('\n')).toEqual([]);
    });

    it('lists only cases that exist', () => {
      const ids = new Set(catalogue.map((c) => c.id));
      expect([...Object.keys(known.fail), ...Object.keys(known.skip)].filter((id) => !ids.has(id))).toEqual([]);
    });
  });
}

/** curl -k: the suites catch a real client's insecure configuration, on every protocol. */
const insecureUnavailable = profileUnavailable('curl-insecure');
if (insecureUnavailable) skipUnavailable('curl -k (curl-insecure)', 'curl-insecure', insecureUnavailable);
else
  describe('curl -k (curl-insecure)', () => {
    const refusal = (c: Case): boolean =>
      /^(https|smtp|pop3|imap|ftps|socks5)\.(certificate|hostname)\./.test(c.id) &&
      chosen(c.protocol) &&
      c.level === 'must' &&
      c.expect.some((e) => 'outcome' in e && e.outcome === 'failure') &&
      !/wildcard|cn-fallback|weak|sni/.test(c.id);

    it('fails every certificate refusal case, having talked inside the TLS it should have refused', async () => {
      const refusals = catalogue.filter(refusal);
      expect(refusals.length).toBeGreaterThanOrEqual(ONLY?.length ? 1 : 40);
      const results = await runCases(refusals, profileClient('curl-insecure'), { workers: 4 });
      const caught = results.filter(
        (r) =>
          r.status === 'fail' &&
          r.events.some((e) => e.type === 'command' && (e.layer === 'tls' || r.protocol === 'https')),
      );
      expect(results.filter((r) => !caught.includes(r)).map((r) => `${r.id}: ${r.status} ${r.reason ?? ''}`)).toEqual(
        [],
      );
    }, 120_000);
  });
