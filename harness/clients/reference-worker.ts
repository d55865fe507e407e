/**
 * A worker thread that runs the reference client for the harness (see
 * worker-client.ts). Messages in: `{ type: 'run', id, args, job }` (args: the
 * profile's flaw arguments) and `{ type: 'abort', id }` (the time limit
 * passed). Messages out: `{ id, started }` as the client starts, `{ id, line }`
 * for each log line, then `{ id, code }`.
 */
import { parentPort } from 'node:worker_threads';
import { referenceClient } from '../../clients/reference/index.js';
import type { Job } from '../../contract/job.js';
import type { ModuleClient } from './adapter.js';

export type WorkerRequest = { type: 'run'; id: number; args: string[]; job: Job } | { type: 'abort'; id: number };
export type WorkerReply = { id: number; started: true } | { id: number; line: string } | { id: number; code: number };

const port = parentPort;
/** One client per set of flaws: parsing them once. */
const clients = new Map<string, ModuleClient>();
const running = new Map<number, AbortController>();

port?.on('message', (m: WorkerRequest) => {
  if (m.type === 'abort') {
    running.get(m.id)?.abort(new Error('time limit'));
    return;
  }
  const key = m.args.join('\0');
  let client = clients.get(key);
  if (!client) clients.set(key, (client = referenceClient(m.args)));
  const controller = new AbortController();
  running.set(m.id, controller);
  const post = (reply: WorkerReply): void => port.postMessage(reply);
  post({ id: m.id, started: true });
  client
    .run(m.job, { signal: controller.signal, log: (line) => post({ id: m.id, line }) })
    .then(
      (code) => code,
      (err: Error) => {
        post({ id: m.id, line: `uncaught: ${err.stack ?? err.message}` });
        return 70;
      },
    )
    .then((code) => {
      running.delete(m.id);
      post({ id: m.id, code });
    });
});
