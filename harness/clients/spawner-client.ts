import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { runContained, type ContainedRun } from './contain.js';
import type { ClientOutcome } from './outcome.js';
import type { SpawnReply, SpawnRequest } from './spawner.js';

/**
 * Command-line clients started by a small helper process (spawner.ts) instead
 * of the harness itself. Node starts a child by fork and exec, and blocks its
 * event loop until the exec: the fork copies the page tables of the whole
 * process, so from the harness (150–300 MB resident, every case's servers on
 * its one thread) each start held every server still for 5–12 ms, and cost as
 * much CPU again. From a process of 40 MB a start costs a fraction of that,
 * and it never holds the servers still.
 */

/** An idle helper is let go after this long, so that nothing outlives a run (the next case starts another). */
const IDLE_MS = 200;

let helper: ChildProcess | undefined;
let idleTimer: NodeJS.Timeout | undefined;
/** Calls awaiting their outcome, each with the helper it went to (an old helper ending fails only its own). */
const pending = new Map<number, { child: ChildProcess; resolve: (outcome: ClientOutcome) => void }>();
let nextId = 1;

function start(script: string): ChildProcess {
  // Its own environment is empty: each client gets the case's whole environment from the call, and the
  // helper carries nothing by which it could be taken for one of them (a stray marker, a test's tag).
  const child = fork(script, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], env: {} });
  child.on('message', (m: SpawnReply) => {
    const call = pending.get(m.id);
    pending.delete(m.id);
    call?.resolve(m.outcome);
    if (!pending.size && helper === child) idle(child);
  });
  // A helper that died fails its calls as a client that could not be started; the next call starts another.
  child.on('exit', (code, signal) => {
    if (helper === child) helper = undefined;
    for (const [id, call] of pending) {
      if (call.child !== child) continue;
      pending.delete(id);
      call.resolve({
        exitCode: 127,
        signal: null,
        hung: false,
        durationMs: 0,
        stdout: '',
        stderr: `the client spawner exited (${code ?? signal})`,
        droppedBytes: 0,
      });
    }
  });
  return child;
}

/** No call pending: the helper does not keep the harness alive, and goes once idle for IDLE_MS. */
function idle(child: ChildProcess): void {
  child.unref();
  child.channel?.unref();
  clearTimeout(idleTimer);
  idleTimer = setTimeout(() => {
    if (pending.size || helper !== child) return;
    helper = undefined;
    child.disconnect();
  }, IDLE_MS);
  idleTimer.unref();
}

/** Runs `run` contained (contain.ts) in the helper `script`; in this process when the script is missing (not built). */
export function runContainedAway(script: string, run: ContainedRun): Promise<ClientOutcome> {
  if (!helper && !existsSync(script)) return runContained(run);
  clearTimeout(idleTimer);
  const child = (helper ??= start(script));
  child.ref();
  child.channel?.ref();
  const id = nextId++;
  return new Promise((resolve) => {
    pending.set(id, { child, resolve });
    child.send({ id, run } satisfies SpawnRequest);
  });
}

/**
 * Lets an idle helper go now and resolves once it has exited (at once when
 * none runs). Its clients' CPU reaches this process's own count of its
 * children's (getrusage's RUSAGE_CHILDREN, /proc's cutime) only then: the
 * bench waits for it before reading a run's CPU.
 */
export function stopSpawner(): Promise<void> {
  const child = helper;
  if (!child || pending.size) return Promise.resolve();
  clearTimeout(idleTimer);
  helper = undefined;
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.ref(); // an idle helper was unref'd: this wait must hold the process until it is gone
    child.disconnect();
  });
}
