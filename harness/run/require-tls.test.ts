/** CONFORM_REQUIRE_TLS as clients see it: on by default, and for SOCKS5 only when the target behind the proxy speaks TLS. */
import { describe, expect, it } from 'vitest';
import type { ClientAdapter } from '../clients/adapter.js';
import { loadCatalogue, runCases } from '../conform.js';

describe('CONFORM_REQUIRE_TLS', () => {
  it('is 1 for https and for a socks5 https target, 0 for a socks5 plain target, and what a case says when it says', async () => {
    const seen = new Map<string, string>();
    const recorder: ClientAdapter = {
      label: 'recorder',
      cliFlags: [],
      protocols: ['https', 'socks5'],
      run: async (job, env) => {
        seen.set(job.case, env.CONFORM_REQUIRE_TLS!);
        return { exitCode: 89, signal: null, hung: false, durationMs: 0, stdout: '', stderr: '', droppedBytes: 0 };
      },
    };
    const ids = [
      'https.certificate.valid',
      'socks5.tls.sni-is-target',
      'socks5.integrity.large-body',
      'socks5.udp.associate',
      'socks5.auth.success',
    ];
    const cases = (await loadCatalogue()).filter((c) => ids.includes(c.id));
    expect(cases.map((c) => c.id).sort()).toEqual([...ids].sort());
    await runCases(cases, recorder, { workers: 2 });
    expect(Object.fromEntries(seen)).toEqual({
      'https.certificate.valid': '1',
      'socks5.tls.sni-is-target': '1',
      'socks5.integrity.large-body': '0',
      'socks5.udp.associate': '0',
      'socks5.auth.success': '0',
    });
  });
});
