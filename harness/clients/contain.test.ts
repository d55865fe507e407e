import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { CAPTURE_LIMIT, runContained } from './contain.js';

const node = (script: string) => [process.execPath, '-e', script];
const base = { env: { PATH: process.env.PATH ?? '' }, cwd: process.cwd() };

/** Running, as /proc tells it: a killed process may linger as a zombie until reaped, which is not running. */
function alive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^\d+ \(.*\) [ZX]/.test(stat);
  } catch {
    return false;
  }
}

describe('client containment', () => {
  it('reports a crash as its exit status, with what it printed', async () => {
    const out = await runContained({ ...base, argv: node('console.error("boom"); process.exit(3)'), limitMs: 5000 });
    expect(out).toMatchObject({ exitCode: 3, hung: false });
    expect(out.stderr).toContain('boom');
  });

  it('kills a hung client and every process it forked, on time', async () => {
    // The child forks a grandchild that would outlive it, then both sleep.
    const script = `
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
      console.log(g.pid);
      setInterval(() => {}, 1000);`;
    const started = Date.now();
    const out = await runContained({ ...base, argv: node(script), limitMs: 700 });
    expect(out.hung).toBe(true);
    expect(out.exitCode).toBeNull();
    expect(Date.now() - started).toBeLessThan(700 + 1000);
    const grandchild = Number(out.stdout.trim());
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(grandchild)).toBe(false);
  });

  it('leaves no grandchild behind when the client itself exits', async () => {
    const script = `
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'inherit' });
      console.log(g.pid);
      process.exit(0);`;
    const started = Date.now();
    const out = await runContained({ ...base, argv: node(script), limitMs: 5000 });
    // The grandchild inherited stdout; the harness must not wait for it to close the pipe.
    expect(Date.now() - started).toBeLessThan(3000);
    expect(out.exitCode).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(Number(out.stdout.trim()))).toBe(false);
  });

  it('kills a grandchild that left the process group (setsid) by the case marker in its environment', async () => {
    // The grandchild starts a session of its own, so the group kill cannot reach it.
    const script = `
      const { spawn } = require('node:child_process');
      const g = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore', detached: true });
      console.log(g.pid);
      setTimeout(() => process.exit(0), 300);`;
    const marker = { CONFORM_WORKDIR: `/tmp/conform-contain-test-${process.pid}-${Date.now()}` };
    const out = await runContained({ ...base, env: { ...base.env, ...marker }, argv: node(script), limitMs: 5000 });
    expect(out.exitCode).toBe(0);
    await new Promise((r) => setTimeout(r, 100));
    expect(alive(Number(out.stdout.trim()))).toBe(false);
  });

  it('bounds what a flooding client can make it keep', async () => {
    const script = `const b = Buffer.alloc(1 << 20, 65); let n = 64; const w = () => { while (n-- > 0) if (!process.stdout.write(b)) return process.stdout.once('drain', w); }; w();`;
    const out = await runContained({ ...base, argv: node(script), limitMs: 10_000 });
    expect(out.exitCode).toBe(0);
    expect(out.stdout.length).toBe(CAPTURE_LIMIT);
    expect(out.droppedBytes).toBe(64 * (1 << 20) - CAPTURE_LIMIT);
  });

  it('runs without a shell: metacharacters arrive as literal arguments', async () => {
    const out = await runContained({
      ...base,
      argv: [
        process.execPath,
        '-e',
        'console.log(JSON.stringify(process.argv.slice(1)))',
        '$(touch /tmp/conform-pwned)',
        '; ls',
        '*',
      ],
      limitMs: 5000,
    });
    expect(JSON.parse(out.stdout)).toEqual(['$(touch /tmp/conform-pwned)', '; ls', '*']);
  });

  it('reports a program that cannot start as a failure to start', async () => {
    const out = await runContained({ ...base, argv: ['/nonexistent/client'], limitMs: 5000 });
    expect(out.exitCode).toBe(127);
    expect(out.stderr).toMatch(/cannot start/);
  });
});
