import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runContainedAway } from './spawner-client.js';

/** The compiled helper (tests/global-setup.ts builds dist/ first). */
const SPAWNER = join(import.meta.dirname, '../../dist/harness/clients/spawner.js');
const sh = (script: string, limitMs = 5000) => ({
  argv: ['/bin/sh', '-c', script],
  env: { PATH: process.env.PATH ?? '' },
  cwd: process.cwd(),
  limitMs,
});

describe('runContainedAway', () => {
  it('runs a client through the helper and returns its exit status and output', async () => {
    const outcome = await runContainedAway(SPAWNER, sh('echo out; echo err >&2; exit 3'));
    expect(outcome).toMatchObject({ exitCode: 3, hung: false, stdout: 'out\n', stderr: 'err\n' });
  });

  it('kills a client at its limit and reports it hung', async () => {
    const outcome = await runContainedAway(SPAWNER, sh('sleep 5', 150));
    expect(outcome).toMatchObject({ exitCode: null, hung: true });
    expect(outcome.durationMs).toBeLessThan(2000);
  });

  it('serves calls side by side, and again after letting an idle helper go', async () => {
    const codes = await Promise.all(
      [1, 2, 3, 4].map((n) => runContainedAway(SPAWNER, sh(`exit ${n}`)).then((o) => o.exitCode)),
    );
    expect(codes).toEqual([1, 2, 3, 4]);
    await new Promise((r) => setTimeout(r, 400)); // past IDLE_MS: the helper has gone
    expect((await runContainedAway(SPAWNER, sh('exit 5'))).exitCode).toBe(5);
  });

  it('does not keep the harness alive once idle', async () => {
    const child = `import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../dist/harness/clients/spawner-client.js')).href)})
      .then((m) => m.runContainedAway(${JSON.stringify(SPAWNER)}, { argv: ['/bin/true'], env: {}, cwd: '/', limitMs: 5000 }));`;
    const started = performance.now();
    const code = await new Promise<number | null>((resolve) => {
      execFile(process.execPath, ['--input-type=module', '-e', child], { timeout: 10_000 }, () => undefined).on(
        'exit',
        (c) => resolve(c),
      );
    });
    expect(code).toBe(0);
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
