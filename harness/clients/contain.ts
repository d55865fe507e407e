import { spawn } from 'node:child_process';
import type { ClientOutcome } from './outcome.js';
import { killStrays } from './strays.js';

/** What a client may print before the rest is counted and dropped (per stream). */
export const CAPTURE_LIMIT = 64 * 1024;

/**
 * The environment variable whose value is unique to one case (a fresh
 * directory), by which processes that left the client's group are found.
 */
const MARKER = 'CONFORM_WORKDIR';

/** Clients still running (process group → marker value), killed if the harness exits or is interrupted. */
const liveGroups = new Map<number, string | undefined>();
let exitHooksInstalled = false;

/** Kills the client's process group, then whatever it started that left the group. */
function killAll(pid: number, marker: string | undefined): void {
  killGroup(pid);
  if (marker) killStrays(pid, MARKER, marker);
}

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    // ESRCH: the group is already gone.
  }
}

function installExitHooks(): void {
  if (exitHooksInstalled) return;
  exitHooksInstalled = true;
  const killLive = (): void => liveGroups.forEach((marker, pid) => killAll(pid, marker));
  process.on('exit', killLive);
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      killLive();
      process.kill(process.pid, signal);
    });
  }
}

class BoundedCapture {
  private chunks: Buffer[] = [];
  private kept = 0;
  dropped = 0;
  push(chunk: Buffer): void {
    const room = CAPTURE_LIMIT - this.kept;
    if (room > 0) this.chunks.push(chunk.subarray(0, room));
    this.kept += Math.min(room, chunk.length);
    this.dropped += Math.max(0, chunk.length - Math.max(room, 0));
  }
  text(): string {
    return Buffer.concat(this.chunks).toString('utf8');
  }
}

export interface ContainedRun {
  argv: string[];
  env: Record<string, string>;
  cwd: string;
  /** Killed (whole process group) when it outlives this. */
  limitMs: number;
}

/**
 * Runs a client without a shell, in its own process group, so that expiry or
 * the harness's exit kills it with every child it forked. Once the client
 * exits, leftovers in its group are killed too, and so are processes that
 * left the group (setsid) but carry the case's CONFORM_WORKDIR in their
 * environment (strays.ts): a client cannot leave a grandchild behind. Output
 * is captured up to a bound; a flood costs nothing.
 */
export function runContained(run: ContainedRun): Promise<ClientOutcome> {
  installExitHooks();
  const started = performance.now();
  const [file, ...args] = run.argv;
  return new Promise((resolve) => {
    const child = spawn(file!, args, {
      cwd: run.cwd,
      env: run.env,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
      shell: false,
    });
    const stdout = new BoundedCapture();
    const stderr = new BoundedCapture();
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    let hung = false;
    const pid = child.pid;
    const marker = run.env[MARKER] || undefined;
    if (pid) liveGroups.set(pid, marker);
    const timer = setTimeout(() => {
      hung = true;
      if (pid) killAll(pid, marker);
    }, run.limitMs);
    const finish = (exitCode: number | null, signal: string | null, spawnError?: Error): void => {
      clearTimeout(timer);
      if (pid) {
        killAll(pid, marker);
        liveGroups.delete(pid);
      }
      // Grandchildren may hold the pipes open; do not wait for them.
      child.stdout.destroy();
      child.stderr.destroy();
      resolve({
        exitCode: hung ? null : exitCode,
        signal,
        hung,
        durationMs: Math.round(performance.now() - started),
        stdout: stdout.text(),
        stderr: spawnError ? `${stderr.text()}cannot start ${file}: ${spawnError.message}` : stderr.text(),
        droppedBytes: stdout.dropped + stderr.dropped,
      });
    };
    child.once('error', (err) => finish(127, null, err));
    child.once('exit', (code, signal) => finish(code, signal));
  });
}
