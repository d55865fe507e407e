import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Job } from '../../contract/job.js';
import { runInWorker } from './worker-client.js';

/**
 * A stand-in for reference-worker.js speaking the same messages: the job's
 * `case` says what to do (answer, never answer, crash the thread).
 */
const FAKE = `
import { parentPort } from 'node:worker_threads';
parentPort.on('message', (m) => {
  if (m.type !== 'run') return;
  if (m.job.case === 'crash') throw new Error('thread crashed');
  if (m.job.case === 'late') {
    // Busy for 300 ms before it starts the client: the limit counts from the start.
    const until = Date.now() + 300;
    while (Date.now() < until);
  }
  parentPort.postMessage({ id: m.id, started: true });
  if (m.job.case === 'hang') return;
  parentPort.postMessage({ id: m.id, line: 'args ' + m.args.join(' ') });
  parentPort.postMessage({ id: m.id, code: 3 });
});
`;

let script = '';
beforeAll(async () => {
  script = join(await mkdtemp(join(tmpdir(), 'conform-worker-')), 'fake-worker.mjs');
  await writeFile(script, FAKE);
});

const job = (id: string): Job => ({ case: id }) as Job;

describe('runInWorker', () => {
  it('returns the exit status and the log lines of a client run in a thread', async () => {
    const outcome = await runInWorker(script, ['--flaw', 'x'], job('ok'), 2000);
    expect(outcome).toMatchObject({ exitCode: 3, hung: false, stderr: 'args --flaw x\n' });
  });

  it('reports a client that never returns as hung at its limit', async () => {
    const started = performance.now();
    const outcome = await runInWorker(script, [], job('hang'), 150);
    expect(outcome).toMatchObject({ exitCode: null, hung: true });
    expect(performance.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('counts the time limit from when the thread starts the client, not from the call', async () => {
    const outcome = await runInWorker(script, [], job('late'), 200);
    expect(outcome).toMatchObject({ exitCode: 3, hung: false });
  });

  it('fails the calls of a thread that crashed, and the next call gets a new thread', async () => {
    const crashed = await runInWorker(script, [], job('crash'), 2000);
    expect(crashed.exitCode).toBe(70);
    expect(crashed.stderr).toContain('thread crashed');
    // Every thread of the pool can take the next calls.
    for (let i = 0; i < 3; i++) expect((await runInWorker(script, [], job('ok'), 2000)).exitCode).toBe(3);
  });

  it('does not keep the process alive once its threads are idle', async () => {
    const child = `import(${JSON.stringify(pathToFileURL(join(import.meta.dirname, '../../dist/harness/clients/worker-client.js')).href)})
      .then(async (m) => { m.warmWorkerClients(${JSON.stringify(script)}); await m.runInWorker(${JSON.stringify(script)}, [], { case: 'ok' }, 2000); });`;
    const code = await new Promise<number | null>((resolve) => {
      const p = execFile(process.execPath, ['--input-type=module', '-e', child], { timeout: 10_000 }, () => undefined);
      p.on('exit', (c) => resolve(c));
    });
    expect(code).toBe(0);
  });
});
