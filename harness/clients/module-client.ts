import { CAPTURE_LIMIT } from './contain.js';
import type { ModuleClient } from './adapter.js';
import type { Job } from '../../contract/job.js';
import type { ClientOutcome } from './outcome.js';

/**
 * Runs a module client in-process, for speed and for authors of Node client
 * libraries. At its limit the signal aborts it and it is reported hung; a
 * module cannot be killed, so it must honour the signal to release its sockets.
 */
export async function runModuleClient(client: ModuleClient, job: Job, limitMs: number): Promise<ClientOutcome> {
  const started = performance.now();
  const controller = new AbortController();
  let log = '';
  let dropped = 0;
  const append = (line: string): void => {
    if (log.length < CAPTURE_LIMIT) log += `${line}\n`;
    else dropped += line.length + 1;
  };
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<'hung'>((resolve) => {
    timer = setTimeout(() => {
      controller.abort(new Error('time limit'));
      resolve('hung');
    }, limitMs);
  });
  const result = await Promise.race([
    client.run(job, { signal: controller.signal, log: append }).then(
      (code) => code,
      (err: Error) => {
        append(`uncaught: ${err.stack ?? err.message}`);
        return 70;
      },
    ),
    expired,
  ]);
  clearTimeout(timer);
  const hung = result === 'hung';
  return {
    exitCode: hung ? null : result,
    signal: null,
    hung,
    durationMs: Math.round(performance.now() - started),
    stdout: '',
    stderr: log,
    droppedBytes: dropped,
  };
}
