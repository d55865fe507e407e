import { spawn } from 'node:child_process';

export interface TimedExit {
  code: number | null;
  signal: string | null;
  stdout: string;
  stderr: string;
  /** From just before spawn() to the 'close' event, as the user waiting on it sees it. */
  wallMs: number;
}

/** Runs a program to completion and times it; never rejects on a non-zero exit (the caller judges). */
export function spawnTimed(
  argv: readonly string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<TimedExit> {
  const [file, ...args] = argv;
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(file!, args, {
      cwd: opts.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      ...(opts.env ? { env: { ...process.env, ...opts.env } } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (c: Buffer) => out.push(c));
    child.stderr.on('data', (c: Buffer) => err.push(c));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      resolve({
        code,
        signal,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
        wallMs: performance.now() - started,
      });
    });
  });
}
