/**
 * Clients that misbehave as processes (containment, docs/contract.md): each
 * is a real program run through --client-cmd's adapter against a real server
 * on 127.0.0.1. Its case ends within its limit plus one second and is reported,
 * nothing it started survives, the server's sockets are closed (both measured
 * from /proc), and the next case of the same run still runs and passes.
 */
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { commandClient, referenceMainPath } from '../harness/clients/profiles.js';
import { loadCatalogue, runCases } from '../harness/conform.js';
import type { CaseResult } from '../harness/run/result.js';
import type { Case } from '../harness/suite/case.js';

/**
 * The client under test. For the victim case it misbehaves as `mode` says;
 * for any other case it is the reference client, so that the case after the
 * victim shows whether the run is still sound.
 */
const CLIENT = String.raw`
import { spawn } from 'node:child_process';
import { connect } from 'node:net';
const [mode, victim, reference] = process.argv.slice(2);
const forever = () => setInterval(() => {}, 1 << 30);
if (process.env.CONFORM_CASE !== victim) {
  process.argv.splice(2);
  await import(reference);
} else if (mode === 'hang') {
  forever();
} else if (mode === 'silent') {
  // Connects, then neither sends nor closes.
  connect(Number(process.env.CONFORM_PORT), process.env.CONFORM_ADDR);
  forever();
} else if (mode === 'connections') {
  // Opens thousands of connections, a few hundred at a time, and keeps them.
  const kept = [];
  for (let batch = 0; batch < 15; batch++) {
    await Promise.all(Array.from({ length: 200 }, () => new Promise((resolve) => {
      const s = connect(Number(process.env.CONFORM_PORT), process.env.CONFORM_ADDR);
      s.on('connect', resolve).on('error', resolve);
      kept.push(s);
    })));
  }
  process.stderr.write('opened ' + kept.length + ' connections\n');
  forever();
} else if (mode === 'flood') {
  // 1 GiB on stdout and 128 MiB on stderr at once, then it hangs.
  const chunk = Buffer.alloc(1 << 20, 0x41);
  const pour = (stream, mib) => { const next = () => { while (mib > 0) { mib--; if (!stream.write(chunk)) return stream.once('drain', next); } }; next(); };
  pour(process.stdout, 1024);
  pour(process.stderr, 128);
  forever();
} else if (mode === 'grandchildren') {
  const sleeper = [process.execPath, '-e', 'setInterval(() => {}, 1 << 30)'];
  // One in its process group, holding its stdout; one that starts a session of
  // its own (setsid) and forks again, so that its child is orphaned.
  spawn(sleeper[0], sleeper.slice(1), { stdio: 'inherit' });
  const daemon = "const { spawn } = require('node:child_process'); spawn(process.execPath, ['-e', 'setInterval(() => {}, 1 << 30)'], { stdio: 'ignore' }).unref(); setTimeout(() => process.exit(0), 200);";
  spawn(sleeper[0], ['-e', daemon], { stdio: 'ignore', detached: true }).unref();
  setTimeout(() => process.exit(0), 400);
}
`;

/** A variable every process the client starts inherits, to find them in /proc. */
const TAG = `CONTAINMENT_TEST_TAG=${process.pid}-${Date.now()}`;

function procs(): { pid: number; state: string; environ: Buffer }[] {
  return readdirSync('/proc')
    .filter((p) => /^\d+$/.test(p))
    .flatMap((p) => {
      try {
        const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
        return [
          {
            pid: Number(p),
            state: stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3),
            environ: readFileSync(`/proc/${p}/environ`),
          },
        ];
      } catch {
        return [];
      }
    });
}

/** Processes started by any client of this file that are still running (zombies are dead). */
function survivors(): number[] {
  return procs()
    .filter((p) => p.state !== 'Z' && p.environ.includes(`${TAG}\0`))
    .map((p) => p.pid);
}

/** This process's open sockets, as /proc tells it. */
function openSockets(): number {
  return readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
}

/** TCP sockets on this port that something still holds (TIME_WAIT, state 06, is the kernel's alone). */
function tcpOnPort(port: number): number {
  const hex = port.toString(16).toUpperCase().padStart(4, '0');
  return ['/proc/net/tcp', '/proc/net/tcp6']
    .flatMap((f) => readFileSync(f, 'utf8').split('\n').slice(1))
    .map((l) => l.trim().split(/\s+/))
    .filter(
      (cols) => cols.length > 3 && (cols[1]!.endsWith(`:${hex}`) || cols[2]!.endsWith(`:${hex}`)) && cols[3] !== '06',
    ).length;
}

const portOf = (r: CaseResult): number => {
  const e = r.events.find((x) => x.type === 'listening');
  return e && e.type === 'listening' ? e.port : 0;
};

let script: string;
let victim: Case;
let next: Case;
const GRACE_MS = 500;

beforeAll(async () => {
  process.env.CONTAINMENT_TEST_TAG = TAG.split('=')[1]!;
  script = join(await mkdtemp(join(tmpdir(), 'conform-containment-')), 'client.mjs');
  await writeFile(script, CLIENT);
  const cases = await loadCatalogue();
  victim = cases.find((c) => c.id === 'https.certificate.valid')!;
  next = cases.find((c) => c.id === 'https.certificate.expired')!;
  // The first run of a process loads modules and certificates: not a leak.
  await runCases([next], commandClient(`${process.execPath} ${script} warm-up none ${referenceMainPath()}`), {
    workers: 1,
  });
});

/** Runs the victim (with its time limit cut to `timeoutMs`) then the next case, one after the other. */
async function misbehave(
  mode: string,
  timeoutMs: number,
): Promise<{ victim: CaseResult; next: CaseResult; wallMs: number }> {
  const sockets = openSockets();
  const client = commandClient(`${process.execPath} ${script} ${mode} ${victim.id} ${referenceMainPath()}`);
  const started = performance.now();
  const ended: number[] = [];
  const [v, n] = await runCases(
    [{ ...victim, job: { ...victim.job, timeoutMs } }, next],
    client,
    { workers: 1, graceMs: GRACE_MS },
    () => ended.push(performance.now()),
  );
  // Within its limit plus one second, counted from the start of the run (the server's start included).
  const wallMs = ended[0]! - started;
  expect(wallMs).toBeLessThan(timeoutMs + GRACE_MS + 1000);
  expect(n!.status).toBe('pass');
  expect(survivors()).toEqual([]);
  expect(openSockets()).toBe(sockets);
  expect(tcpOnPort(portOf(v!))).toBe(0);
  return { victim: v!, next: n!, wallMs };
}

describe('a misbehaving client process is contained and the run goes on', () => {
  it('a client that hangs is killed at its limit and reported hung', async () => {
    const { victim: v } = await misbehave('hang', 800);
    expect(v.status).toBe('fail');
    expect(v.outcome?.hung).toBe(true);
    expect(v.reason).toMatch(/did not finish within its time limit and was killed/);
  });

  it('a client that connects and sends nothing is killed at its limit; the server lets go of the connection', async () => {
    const { victim: v } = await misbehave('silent', 800);
    expect(v.status).toBe('fail');
    expect(v.outcome?.hung).toBe(true);
    expect(v.events.filter((e) => e.type === 'connect')).toHaveLength(1);
    expect(v.reason).toMatch(/did not finish within its time limit/);
  });

  it('a client that opens thousands of connections: every one is closed when the case ends', async () => {
    const { victim: v } = await misbehave('connections', 3000);
    expect(v.status).toBe('fail');
    expect(v.events.filter((e) => e.type === 'connect').length).toBeGreaterThanOrEqual(2000);
    expect(v.outcome?.stderr).toMatch(/opened 3000 connections/);
    expect(v.reason).toMatch(/did not finish within its time limit/);
  });

  it('a client that floods stdout and stderr with more than a gigabyte: kept to a bound, the rest counted', async () => {
    const rss = process.memoryUsage().rss;
    const { victim: v } = await misbehave('flood', 6000);
    expect(v.status).toBe('fail');
    expect(v.outcome!.droppedBytes).toBeGreaterThanOrEqual(1152 * (1 << 20) - 2 * 64 * 1024);
    expect(v.outcome!.stdout.length).toBeLessThanOrEqual(64 * 1024);
    expect(process.memoryUsage().rss - rss).toBeLessThan(200 * (1 << 20));
  });

  it('a client that forks grandchildren (one in its group, one in a session of its own) leaves none behind', async () => {
    const { victim: v } = await misbehave('grandchildren', 3000);
    expect(v.status).toBe('fail');
    expect(v.outcome).toMatchObject({ exitCode: 0, hung: false });
  });
});
