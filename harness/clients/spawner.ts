/**
 * The client spawner: a small child process of the harness that starts
 * command-line clients for it (runContained, with all its containment) and
 * reports their outcomes. See spawner-client.ts for why.
 *
 * Messages in: `{ id, run }` (a ContainedRun). Out: `{ id, outcome }`. When
 * the harness goes away (the IPC channel closes), it exits, and contain.ts's
 * exit hook kills every client still running.
 */
import { runContained, type ContainedRun } from './contain.js';
import type { ClientOutcome } from './outcome.js';

export interface SpawnRequest {
  id: number;
  run: ContainedRun;
}

export interface SpawnReply {
  id: number;
  outcome: ClientOutcome;
}

if (process.send) {
  process.on('message', (m: SpawnRequest) => {
    void runContained(m.run).then((outcome) => process.send?.({ id: m.id, outcome } satisfies SpawnReply));
  });
  process.on('disconnect', () => process.exit(0));
}
