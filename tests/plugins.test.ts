/**
 * A protocol is a plug-in: a registry line (harness/protocols.ts) and its
 * folders. Every registered protocol has each of them, and nothing else
 * names a protocol the registry does not know.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_NAMES, PROTOCOLS } from '../harness/protocols.js';
import { REFERENCE_PROTOCOLS, loadFlawTables } from '../clients/reference/protocols.js';
import { TLS_FLAWS } from '../clients/reference/tls-flaws.js';
import type { ProtocolDescriptor } from '../servers/shared/descriptor.js';

const root = join(import.meta.dirname, '..');

describe('protocol plug-ins', () => {
  it.each(PROTOCOL_NAMES)('%s has its server, descriptor, reference client, suites and schema', (p) => {
    for (const path of [
      `servers/${p}/index.ts`,
      `clients/reference/${p}/index.ts`,
      `clients/reference/${p}/flaws.ts`,
      `suites/${p}`,
      `suites/${p}.schema.json`,
    ]) {
      expect(existsSync(join(root, path)), path).toBe(true);
    }
    expect(PROTOCOLS[p].actions.length).toBeGreaterThan(0);
  });

  it.each(PROTOCOL_NAMES)('%s, if its server speaks TLS, declares its TLS modes for the TLS templates', (p) => {
    const d = PROTOCOLS[p] as ProtocolDescriptor;
    if (!d.emits.includes('client-hello')) return expect(d.tlsModes ?? []).toEqual([]);
    expect(d.tlsModes?.length).toBeGreaterThan(0);
    for (const m of d.tlsModes!) {
      expect(m.refused.length, `${p} ${m.mode} refused`).toBeGreaterThan(0);
      expect(m.accepted.length, `${p} ${m.mode} accepted`).toBeGreaterThan(0);
    }
    // One mode: no prefix; several: each named, so instance ids stay apart.
    const names = d.tlsModes!.map((m) => m.mode);
    expect(names.length === 1 ? names : new Set(names).size).toEqual(names.length === 1 ? [''] : names.length);
  });

  it('the reference client speaks exactly the registered protocols', () => {
    expect([...REFERENCE_PROTOCOLS].sort()).toEqual([...PROTOCOL_NAMES].sort());
  });

  it('no flaw is defined twice, so a name means one rule broken', async () => {
    const tables = [TLS_FLAWS, ...Object.values(await loadFlawTables())];
    const names = tables.flatMap((t) => Object.keys(t));
    expect(names.filter((n, i) => names.indexOf(n) !== i)).toEqual([]);
  });
});
