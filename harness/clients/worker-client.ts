import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import type { Job } from '../../contract/job.js';
import { CAPTURE_LIMIT } from './contain.js';
import type { ClientOutcome } from './outcome.js';
import type { WorkerReply, WorkerRequest } from './reference-worker.js';

/**
 * The reference client run in worker threads of the harness process. In the
 * harness's own thread, the client's TLS and parsing would share one core with
 * every server of the run, and a run of the in-process reference could use no
 * more than that core however many cases it ran at once; in threads of their
 * own, the clients use the other cores. Still in-process: no process start per
 * case, and a connection the client leaves open stays open (adapter.ts).
 */

interface Call {
  onStart(): void;
  onLine(line: string): void;
  onCode(code: number): void;
}

class Thread {
  readonly calls = new Map<number, Call>();
  private worker: Worker | undefined;

  constructor(private readonly script: string) {}

  /** The worker, started on first use and again after a crash. */
  private get live(): Worker {
    if (this.worker) return this.worker;
    const worker = new Worker(this.script);
    worker.on('message', (m: WorkerReply) => {
      const call = this.calls.get(m.id);
      if (!call) return; // a call given up at its limit, ending late
      if ('started' in m) call.onStart();
      else if ('line' in m) call.onLine(m.line);
      else {
        this.calls.delete(m.id);
        call.onCode(m.code);
        this.idleCheck();
      }
    });
    // A crashed thread fails its calls (as an uncaught exception does a module client's) and is replaced on next use.
    const fail = (why: string): void => {
      if (this.worker !== worker) return;
      this.worker = undefined;
      for (const call of this.calls.values()) {
        call.onLine(`uncaught: ${why}`);
        call.onCode(70);
      }
      this.calls.clear();
    };
    worker.on('error', (err) => fail(err.stack ?? err.message));
    worker.on('exit', (code) => fail(`the client's thread exited (${code})`));
    // After the listeners: adding a 'message' listener refs the worker's port again.
    worker.unref();
    this.worker = worker;
    return worker;
  }

  start(): void {
    void this.live;
  }

  /** An idle thread does not keep the process alive; a pending call does. */
  idleCheck(): void {
    if (!this.calls.size) this.worker?.unref();
  }

  send(request: WorkerRequest): void {
    const worker = this.live;
    if (request.type === 'run') worker.ref();
    worker.postMessage(request);
  }
}

/** The threads of each worker script (the reference's; tests use their own). */
const pools = new Map<string, Thread[]>();
let nextId = 1;

/** Two threads at least, one per core: clients of several cases at once spread over them. */
function pool(script: string): Thread[] {
  let threads = pools.get(script);
  if (!threads)
    pools.set(
      script,
      (threads = Array.from({ length: Math.max(2, availableParallelism()) }, () => new Thread(script))),
    );
  return threads;
}

/** Starts the threads ahead of the first case, so that its client does not wait for them to load. */
export function warmWorkerClients(script: string): void {
  for (const t of pool(script)) t.start();
}

/**
 * How long a call may wait for its thread to start it (a thread still loading
 * the client, or busy with other clients' work, on a loaded machine) before
 * it is given up as hung all the same.
 */
const START_WAIT_MS = 10_000;

/**
 * Runs the reference client with `args` (its flaws) in the least busy thread.
 * Its time limit counts from when the thread starts it, as a process's counts
 * from its start: a client queued behind a thread's start-up or other
 * clients' work (the first cases of a run on a loaded machine) keeps its whole
 * time. At `limitMs` it is aborted and reported hung.
 */
export function runInWorker(
  script: string,
  args: readonly string[],
  job: Job,
  limitMs: number,
): Promise<ClientOutcome> {
  let started = performance.now();
  const thread = pool(script).reduce((a, b) => (b.calls.size < a.calls.size ? b : a));
  const id = nextId++;
  let log = '';
  let dropped = 0;
  return new Promise((resolve) => {
    const finish = (exitCode: number | null): void => {
      clearTimeout(timer);
      resolve({
        exitCode,
        signal: null,
        hung: exitCode === null,
        durationMs: Math.round(performance.now() - started),
        stdout: '',
        stderr: log,
        droppedBytes: dropped,
      });
    };
    const expire = (): void => {
      thread.calls.delete(id);
      thread.send({ type: 'abort', id });
      thread.idleCheck();
      finish(null);
    };
    let timer = setTimeout(expire, limitMs + START_WAIT_MS);
    thread.calls.set(id, {
      onStart() {
        started = performance.now();
        clearTimeout(timer);
        timer = setTimeout(expire, limitMs);
      },
      onLine(line) {
        if (log.length < CAPTURE_LIMIT) log += `${line}\n`;
        else dropped += line.length + 1;
      },
      onCode: finish,
    });
    thread.send({ type: 'run', id, args: [...args], job });
  });
}
