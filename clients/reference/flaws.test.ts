/** The reference client's protocols (found by folder) and flaws (parsed from argv, applied per protocol). */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Job } from '../../contract/job.js';
import { FLAW_NAMES, FLAWS, flawApplies, parseFlawArgs, PROTOCOL_FLAWS } from './flaws.js';
import { runReference, UNSUPPORTED } from './index.js';
import { loadReferenceProtocol, REFERENCE_PROTOCOLS } from './protocols.js';
import { TLS_FLAWS } from './tls-flaws.js';

describe('REFERENCE_PROTOCOLS', () => {
  it('lists exactly the folders beside it that hold an index module, in name order', () => {
    const here = import.meta.dirname;
    const folders = readdirSync(here, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => d.name);
    expect(REFERENCE_PROTOCOLS).toEqual(folders.filter((f) => existsSync(join(here, f, 'index.ts'))).sort());
    expect(REFERENCE_PROTOCOLS).toEqual(expect.arrayContaining(['ftps', 'https', 'pop3', 'smtp', 'socks5']));
  });

  it("loads each one's client, whose flaw table is its flaws module's; an unknown protocol has none", async () => {
    for (const p of REFERENCE_PROTOCOLS) {
      const reference = await loadReferenceProtocol(p);
      expect(reference?.flaws, p).toEqual(PROTOCOL_FLAWS[p]);
      // A protocol honours only shared flaws that are opt-in (the others apply everywhere anyway).
      for (const flaw of reference?.honours ?? [])
        expect(TLS_FLAWS[flaw as keyof typeof TLS_FLAWS], `${p} honours ${flaw}`).toMatchObject({ optIn: true });
    }
    expect(await loadReferenceProtocol('gopher')).toBeUndefined();
  });
});

describe('FLAWS', () => {
  it("holds the shared flaws and every protocol's, no name in two tables", () => {
    const tables = [TLS_FLAWS, ...Object.values(PROTOCOL_FLAWS)];
    expect(FLAW_NAMES.length).toBe(tables.reduce((n, t) => n + Object.keys(t).length, 0));
    expect(FLAWS['skip-verify']).toBe(TLS_FLAWS['skip-verify']);
    expect(FLAWS['pop3-no-unstuffing']).toBe(PROTOCOL_FLAWS.pop3!['pop3-no-unstuffing']);
  });
});

describe('parseFlawArgs', () => {
  it('takes --flaw NAME and --flaw=NAME, repeated', () => {
    expect(parseFlawArgs([])).toEqual(new Set());
    expect(parseFlawArgs(['--flaw', 'skip-verify', '--flaw=omit-sni', '--flaw', 'skip-verify'])).toEqual(
      new Set(['skip-verify', 'omit-sni']),
    );
  });

  it('refuses an unknown flaw in either form, listing every known one', () => {
    for (const args of [['--flaw', 'bogus'], ['--flaw=bogus']]) {
      const err = (() => {
        try {
          parseFlawArgs(args);
        } catch (e) {
          return e as Error;
        }
      })();
      expect(err?.message).toBe(`unknown flaw "bogus"; known flaws: ${FLAW_NAMES.join(', ')}`);
    }
  });

  it('refuses any other argument, and --flaw without its name', () => {
    expect(() => parseFlawArgs(['-k'])).toThrow('unknown argument "-k" (the reference client takes --flaw NAME)');
    expect(() => parseFlawArgs(['--flaw'])).toThrow('unknown argument "--flaw"');
  });
});

describe('flawApplies', () => {
  it("a protocol's own flaw applies to it alone", () => {
    expect(flawApplies('pop3-no-unstuffing', 'pop3')).toBe(true);
    expect(flawApplies('pop3-no-unstuffing', 'smtp')).toBe(false);
  });

  it('a shared TLS flaw applies to every protocol', () => {
    for (const p of REFERENCE_PROTOCOLS) expect(flawApplies('skip-verify', p), p).toBe(true);
  });

  it('an opt-in flaw applies only where the protocol honours it', async () => {
    const pop3 = await loadReferenceProtocol('pop3');
    const https = await loadReferenceProtocol('https');
    expect(flawApplies('print-raw-server-text', 'pop3', pop3?.honours)).toBe(true);
    expect(flawApplies('print-raw-server-text', 'https', https?.honours)).toBe(false);
    expect(flawApplies('print-raw-server-text', 'pop3')).toBe(false);
  });
});

describe('runReference', () => {
  const job = (protocol: string, action: string): Job => ({ protocol, action, timeoutMs: 5000 }) as Job;
  const opts = (flaws: string[], lines: string[]) => ({
    signal: new AbortController().signal,
    log: (l: string) => lines.push(l),
    flaws: new Set(flaws),
  });

  it('answers a protocol it does not speak, or an action it does not know, with 89 (unsupported)', async () => {
    expect(await runReference(job('gopher', 'get'), opts([], []))).toBe(UNSUPPORTED);
    expect(await runReference(job('https', 'upload'), opts([], []))).toBe(UNSUPPORTED);
  });

  it("says which of its flaws do not apply to the job's protocol", async () => {
    const lines: string[] = [];
    await runReference(
      job('https', 'upload'),
      opts(['pop3-no-unstuffing', 'skip-verify', 'print-raw-server-text'], lines),
    );
    expect(lines).toEqual([
      'flaw pop3-no-unstuffing does not apply to https',
      'flaw print-raw-server-text does not apply to https',
    ]);
  });
});
