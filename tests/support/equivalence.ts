/**
 * The proof that a named fault is expressible as a script (issue #13): a
 * catalogue case run twice, once with its named fault and once with the fault
 * replaced by a script, against the reference client and the flawed clients
 * the case names as fail witnesses. Both runs must give the same verdict and
 * the same wire: the commands (verb and layer), replies (code and layer),
 * connections, credentials and TLS events recorded, ignoring `fault` events,
 * texts and timing.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCatalogue, runCases } from '../../harness/conform.js';
import { profileClient } from '../../harness/clients/profiles.js';
import type { Case } from '../../harness/suite/case.js';
import type { CaseResult } from '../../harness/run/result.js';
import type { ServerEvent } from '../../servers/shared/events.js';

/** A wire entry: its stream (`connect`, `plaintext`, `tls`, or `data` for a protocol's own) and what it says. */
export type WireEntry = [stream: string, text: string];

export interface Pair {
  /** The named fault (and its variant). */
  fault: string;
  /** The catalogue case whose named fault is replaced. */
  caseId: string;
  script: unknown[];
  /** Server options the scripted case sets besides (a lure that is options, not words). */
  options?: Record<string, unknown>;
  /**
   * Wire entries the script records and the named fault does not: evidence the
   * fault's machine reads as a line (a ClientHello after a false go-ahead is
   * parsed and recorded as one by a `client-hello` rule). Removed from the
   * script's wire, once each, before comparing.
   */
  alsoRecords?: string[];
}

/**
 * What the server recorded, as the judge reads it: no fault events, texts or
 * times. Connections, then each layer, each in its own order: a flawed client that
 * writes plaintext beside its TLS session (plaintext-after-hello) races the two,
 * and a data connection races the control commands, under either server.
 * `more` reads events of a protocol's own into further entries (FTPS: what
 * crossed the data connection), in a `data` stream of their own, last.
 */
export function wire(r: CaseResult, more?: (e: ServerEvent) => WireEntry[]): string[] {
  const events = r.events.flatMap((e): WireEntry[] => {
    const own = more?.(e) ?? [];
    const f = e as unknown as Record<string, string>;
    if (e.type === 'connect') return [['connect', `connect ${e.server}`]];
    if (e.type === 'command') return [[f.layer!, `${f.layer} > ${f.verb}`]];
    if (e.type === 'reply') return [[f.layer!, `${f.layer} < ${f.code}`]];
    if (e.type === 'credentials') return [[f.layer!, `${f.layer} credentials`]];
    if (e.type === 'client-hello' || e.type === 'tls-established') return [['tls', e.type]];
    if (e.type === 'plaintext-after-hello') return [['plaintext', e.type]];
    // HTTPS: plaintext on the TLS port is where a fallback shows (the other servers' wire is as it was).
    if (e.type === 'plaintext-on-tls-port' && e.server === 'https') return [['plaintext', e.type]];
    return own;
  });
  return ['connect', 'plaintext', 'tls', 'data'].flatMap((stream) =>
    events.filter(([s]) => s === stream).map(([, w]) => w),
  );
}

/**
 * A verdict's reason, less what differs between any two runs: the server's
 * port (a Host header quoted in a preview) and events' sequence numbers (a
 * script records its rule's events where the named fault records its own).
 */
function sameReason(reason: string | undefined): string | undefined {
  return reason?.replace(/(?<=:)\d{2,5}\b/g, 'PORT').replace(/#\d+/g, '#N');
}

/**
 * Most pairs wait on a stall, the no-timeout witness until it is killed. Both
 * cases of a pair get the same limit, so the pair stays a pair. Halved limits
 * (750 ms for a 1.5 s case) flaked in ~1 of 6 runs of a file: with every pair
 * at once on 2 cores, a flawed witness was sometimes cut off before it showed
 * its flaw (pop3-plaintext-after-hello timed out in its handshake at 706 ms).
 */
const TIMEOUT_SCALE = 1;

const scriptedId = (c: Case): string => `${c.id}~script`;

/**
 * Declares the vitest suite proving each pair. `parse` turns a pair's script
 * into the server option (the protocol's script schema); EQ_ONLY=REGEX runs
 * only the pairs whose fault matches (to chase one pair).
 */
export function provePairs(
  pairs: Pair[],
  parse: (script: unknown[]) => unknown,
  more?: (e: ServerEvent) => WireEntry[],
): void {
  const selected = pairs.filter((p) => !process.env.EQ_ONLY || new RegExp(process.env.EQ_ONLY).test(p.fault));
  /** `${spec} :: ${case id}` -> result, for both cases of every pair and every client. */
  const results = new Map<string, CaseResult>();
  const clientsOf = new Map<string, string[]>();

  beforeAll(async () => {
    const catalogue = await loadCatalogue();
    const bySpec = new Map<string, Case[]>();
    for (const p of selected) {
      const base = catalogue.find((c) => c.id === p.caseId);
      if (!base) throw new Error(`no case ${p.caseId}`);
      const server = base.server as Record<string, unknown>;
      const scripted: Case = {
        ...base,
        id: scriptedId(base),
        server: { ...server, ...p.options, faults: [], script: parse(p.script) },
      };
      const specs = ['reference', ...(base.witnesses?.fail ?? [])];
      clientsOf.set(p.fault, specs);
      for (const spec of specs) bySpec.set(spec, [...(bySpec.get(spec) ?? []), base, scripted]);
    }
    // Each client over all its cases at once; most cases wait on a stall, so the groups run side by side.
    await Promise.all(
      [...bySpec].map(async ([spec, cases]) => {
        // The adaptive scheduler: a client that never gives up only waits to be killed, so its cases overlap.
        for (const r of await runCases(cases, profileClient(spec), { timeoutScale: TIMEOUT_SCALE }))
          results.set(`${spec} :: ${r.id}`, r);
      }),
    );
  }, 120_000);

  describe('a named fault and its script give the same verdict and the same wire', () => {
    it.each(selected.map((p) => [p.fault, p] as const))('%s', (_name, p) => {
      const specs = clientsOf.get(p.fault)!;
      expect(specs.length).toBeGreaterThan(0);
      for (const spec of specs) {
        const named = results.get(`${spec} :: ${p.caseId}`)!;
        const scripted = results.get(`${spec} :: ${p.caseId}~script`)!;
        expect({ spec, status: scripted.status, reason: sameReason(scripted.reason) }).toEqual({
          spec,
          status: named.status,
          reason: sameReason(named.reason),
        });
        expect(wire(named, more).length).toBeGreaterThan(0);
        const scriptedWire = wire(scripted, more);
        for (const extra of p.alsoRecords ?? []) {
          const at = scriptedWire.indexOf(extra);
          if (at >= 0) scriptedWire.splice(at, 1);
        }
        expect({ spec, wire: scriptedWire }).toEqual({ spec, wire: wire(named, more) });
      }
    });

    it('the fail witnesses tell the pairs apart from a run that proves nothing: some pass, some fail', () => {
      const statuses = new Set([...results.values()].map((r) => r.status));
      expect(statuses.has('pass') && statuses.has('fail')).toBe(true);
    });
  });
}
