/**
 * A pass is earned (docs/contract.md, "How a case is judged"): a client that never
 * ran, or never reached the point a case tests, passes no must or should case,
 * whatever it exited with. Each client here is a real process run through the
 * --client-cmd adapter over the whole catalogue, against real servers.
 */
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandClient } from '../harness/clients/profiles.js';
import { loadCatalogue, runCases } from '../harness/conform.js';
import type { CaseResult } from '../harness/run/result.js';
import type { Case } from '../harness/suite/case.js';

let cases: Case[] = [];
beforeAll(async () => {
  cases = await loadCatalogue();
});

const judged = (results: CaseResult[]): CaseResult[] => results.filter((r) => r.level !== 'info');

describe('a client that never reached the point under test', () => {
  it('`false` (exits 1 at once) passes no must or should case, and each failure says it never reached the point', {
    timeout: 120_000,
  }, async () => {
    const results = judged(await runCases(cases, commandClient('false')));
    expect(results.length).toBeGreaterThan(300);
    expect(results.filter((r) => r.status === 'pass').map((r) => r.id)).toEqual([]);
    const failed = results.filter((r) => r.status === 'fail');
    // Skipped only where a refusal before connecting is right and looks the same on the wire (reported as
    // inconclusive), or where a correct client need not meet the point at all (not applicable, never a pass).
    const other = results.filter((r) => r.status !== 'fail');
    expect(
      other.filter((r) => !(r.status === 'skip' && /^(inconclusive|not applicable)/.test(r.reason ?? ''))),
    ).toEqual([]);
    expect(
      failed
        .filter((r) => !/^the client never reached .+ \(no connection\)$/.test(r.reason ?? ''))
        .map((r) => `${r.id}: ${r.reason}`),
    ).toEqual([]);
  });

  it('a missing script passes no must or should case, and its stderr is kept for the report', {
    timeout: 120_000,
  }, async () => {
    const missing = join(tmpdir(), 'conform-no-such-client.mjs');
    // Every group of two protocols (the `false` client above runs every case): each case here starts a Node.
    const groups = new Map<string, Case>();
    for (const c of cases.filter((x) => (x.protocol === 'https' || x.protocol === 'smtp') && x.level !== 'info'))
      if (!groups.has(c.id.split('.').slice(0, 2).join('.'))) groups.set(c.id.split('.').slice(0, 2).join('.'), c);
    const picked = [...groups.values(), cases.find((c) => c.id === 'https.certificate.expired')!];
    const results = judged(await runCases([...new Set(picked)], commandClient(`node ${missing}`)));
    expect(results.length).toBeGreaterThan(20);
    expect(results.filter((r) => r.status === 'pass').map((r) => r.id)).toEqual([]);
    const sample = results.find((r) => r.id === 'https.certificate.expired')!;
    expect(sample.status).toBe('fail');
    expect(sample.reason).toBe('the client never reached its TLS handshake (no connection)');
    expect(sample.outcome?.stderr).toMatch(/Cannot find module/);
  });

  it('a client that connects and hangs up passes no certificate case: it never sent a ClientHello', {
    timeout: 60_000,
  }, async () => {
    // bash's /dev/tcp: a connection opened and closed by a process that starts in a millisecond or two
    // (a Node per case made this the slowest test of its file).
    const hangUp = `bash -c 'exec 3<>/dev/tcp/$CONFORM_ADDR/$CONFORM_PORT; exit 1'`;
    const certificateCases = cases.filter(
      (c) => /^(https|smtp|pop3|ftps)\.certificates?\./.test(c.id) && c.level !== 'info',
    );
    const results = await runCases(certificateCases, commandClient(hangUp));
    expect(results.length).toBeGreaterThan(50);
    expect(results.filter((r) => r.status === 'pass').map((r) => r.id)).toEqual([]);
    const implicit = results.find((r) => r.id === 'https.certificate.expired')!;
    expect(implicit.reason).toBe('the client never reached its TLS handshake (connected, but sent no ClientHello)');
  });
});
