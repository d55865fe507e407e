/**
 * Plaintext is seen wherever it crosses (issue "verdict integrity", part 2):
 * a client that sends its ClientHello and then talks on in the clear, as
 * curl 7.78 did behind injected STARTTLS replies (CVE-2021-22947), fails every
 * injection case, every time. The bytes land in the TLS handshake or just
 * behind it depending on timing; the servers record them either way.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { profileClient } from '../harness/clients/profiles.js';
import { loadCatalogue, runCases } from '../harness/conform.js';
import type { Case } from '../harness/suite/case.js';

const RUNS = 10;
/** Faults that pipeline bytes behind the server's go-ahead (STARTTLS, STLS, AUTH TLS). */
const INJECTION = /^inject-after-(starttls|stls|auth)$/;

let injection: Case[] = [];
beforeAll(async () => {
  const cases = await loadCatalogue();
  injection = cases.filter(
    (c) =>
      c.level !== 'info' &&
      ((c.server as { faults?: { kind: string }[] }).faults ?? []).some((f) => INJECTION.test(f.kind)),
  );
});

describe('a client that sends plaintext behind its ClientHello', () => {
  it(`fails every injection case of SMTP, POP3, IMAP and FTPS, in ${RUNS} of ${RUNS} runs, on the plaintext it sent`, {
    timeout: 180_000,
  }, async () => {
    expect(new Set(injection.map((c) => c.protocol))).toEqual(new Set(['smtp', 'pop3', 'imap', 'ftps']));
    const client = profileClient('reference --flaw plaintext-after-hello');
    const verdicts: string[] = [];
    for (let run = 0; run < RUNS; run++) {
      for (const r of await runCases(injection, client, { workers: 4 })) {
        const sawIt = r.events.some((e) => e.type === 'plaintext-after-hello');
        const leaked = r.events.some((e) => e.type === 'credentials' && e.layer === 'plaintext');
        verdicts.push(
          `${r.id}: ${r.status}${sawIt ? '' : ' (no plaintext-after-hello recorded)'}${leaked ? '' : ' (no plaintext credentials recorded)'}`,
        );
      }
    }
    const wrong = verdicts.filter((v) => !/: fail$/.test(v));
    expect(wrong).toEqual([]);
    expect(verdicts.length).toBe(RUNS * injection.length);
  });

  it('the same cases pass for the reference client, so each failure above is the plaintext', {
    timeout: 60_000,
  }, async () => {
    const results = await runCases(injection, profileClient('reference'), { workers: 4 });
    expect(results.filter((r) => r.status !== 'pass').map((r) => `${r.id}: ${r.reason}`)).toEqual([]);
  });
});
