import { spawn } from 'node:child_process';
import type { ClientOutcome } from './outcome.js';

/** What a client may print before the rest is counted and dropped (per stream). */
export const CAPTURE_LIMIT = 64 * 1024;

/** Process groups of clients still running, killed if the harness exits or is interrupted. */
const liveGroups = new Set<number>();
let exitHooksInstalled = false;

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
  process.on('exit', () => liveGroups.forEach(killGroup));
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(signal, () => {
      liveGroups.forEach(killGroup);
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
 * exits, leftovers in its group are killed too: a client cannot leave a
 * grandchild behind. Output is captured up to a bound; a flood costs nothing.
 */
export function runContained(run: ContainedRun): Promise<ClientOutcome> {
  installExitHooks();
  const started = performance.now();
  const [file, ...args] = run.argv;
  return new Promise((resolve) => {
    const child = spawn(file!, args, { cwd: run.cwd, env: run.env, detached: true, stdio: ['ignore', 'pipe', 'pipe'], shell: false });
    const stdout = new BoundedCapture();
    const stderr = new BoundedCapture();
    child.stdout.on('data', (c: Buffer) => stdout.push(c));
    child.stderr.on('data', (c: Buffer) => stderr.push(c));
    let hung = false;
    const pid = child.pid;
    if (pid) liveGroups.add(pid);
    const timer = setTimeout(() => {
      hung = true;
      if (pid) killGroup(pid);
    }, run.limitMs);
    const finish = (exitCode: number | null, signal: string | null, spawnError?: Error): void => {
      clearTimeout(timer);
      if (pid) {
        killGroup(pid);
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
