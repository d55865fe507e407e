/**
 * `npm run soak`: the whole catalogue N times (default 20) against the
 * reference client and curl. Reports every case whose verdict changed between
 * runs (target: none), and whether file descriptors, sockets, child processes
 * and timers are back to their starting counts afterwards (measured from /proc
 * and Node's active resources), naming each handle left behind. Exits 1 when a
 * verdict changed or a count did not come back, and exits even then: a leaked
 * listener must not keep it running.
 *
 *   npm run soak -- --runs 5 --clients reference,curl --protocol https
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';
import { loadCatalogue, runCases } from '../harness/conform.js';
import { profileClient } from '../harness/clients/profiles.js';
import { selectCases } from '../harness/run/select.js';
import { protocolsFrom } from '../harness/conform.js';
import { PROTOCOL_NAMES } from '../harness/protocols.js';

interface Resources {
  fds: number;
  sockets: number;
  children: number;
  /** Processes of this soak's clients still running, at any depth (a setsid'd grandchild too). */
  clientProcesses: number;
  active: Record<string, number>;
}

/** Every client inherits this soak's environment, so this marks whatever they start. */
const SOAK_MARK = `CONFORM_SOAK_ID=${randomUUID()}`;
process.env.CONFORM_SOAK_ID = SOAK_MARK.split('=')[1]!;

function pids(): string[] {
  return readdirSync('/proc').filter((p) => /^\d+$/.test(p) && Number(p) !== process.pid);
}

/** State and parent of a process, or undefined when it is gone. */
function statOf(pid: string): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0]!, ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}

function marked(pid: string): boolean {
  try {
    return readFileSync(`/proc/${pid}/environ`).includes(`${SOAK_MARK}\0`);
  } catch {
    return false;
  }
}

function resources(): Resources {
  const fds = readdirSync('/proc/self/fd');
  const sockets = fds.filter((fd) => {
    try {
      return readlinkSync(`/proc/self/fd/${fd}`).startsWith('socket:');
    } catch {
      return false;
    }
  }).length;
  const live = pids().map((pid) => ({ pid, stat: statOf(pid) })).filter((p) => p.stat && p.stat.state !== 'Z');
  // Children still alive: processes whose parent is this one.
  const children = live.filter((p) => p.stat!.ppid === process.pid).length;
  const clientProcesses = live.filter((p) => marked(p.pid)).length;
  // Timers are listed even when there are none, so that "0 → 0" shows they were counted.
  const active: Record<string, number> = { Timeout: 0 };
  for (const kind of process.getActiveResourcesInfo()) active[kind] = (active[kind] ?? 0) + 1;
  return { fds: fds.length, sockets, children, clientProcesses, active };
}

interface HandleLike {
  constructor?: { name?: string };
  localAddress?: string;
  localPort?: number;
  remoteAddress?: string;
  remotePort?: number;
  destroyed?: boolean;
  /** net.Server's. */
  address?(): { address: string; port: number } | string | null;
}

/** Node's live handles (sockets, servers, timers' owners…): the leaked ones are described one by one. */
function handles(): Set<HandleLike> {
  return new Set((process as unknown as { _getActiveHandles(): HandleLike[] })._getActiveHandles());
}

/** Which case a socket belonged to: the one whose server listened on either of its ports (ports are reused, so: the last one). */
function describeHandle(h: HandleLike, caseByPort: Map<number, string>): string {
  const kind = h.constructor?.name ?? 'handle';
  if (typeof h.address === 'function') {
    const a = h.address();
    const port = a && typeof a === 'object' ? a.port : undefined;
    return `${kind} listening on ${a && typeof a === 'object' ? `${a.address}:${a.port}` : String(a)}${port !== undefined && caseByPort.has(port) ? `, last case on that port: ${caseByPort.get(port)}` : ''}`;
  }
  if (h.localPort === undefined) return kind;
  const owner = caseByPort.get(h.localPort) ?? (h.remotePort !== undefined ? caseByPort.get(h.remotePort) : undefined);
  return `${kind} ${h.localAddress}:${h.localPort} → ${h.remoteAddress ?? '-'}:${h.remotePort ?? '-'}${h.destroyed ? ' (destroyed)' : ''}${owner ? `, last case on that port: ${owner}` : ''}`;
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const runs = Number(arg('runs', '20'));
/** Built-in profiles whose program is installed (reference-cli included); the others are named and left out. */
const clientNames = arg('clients', 'reference,curl').split(',').filter((name) => {
  try {
    profileClient(name);
    return true;
  } catch (err) {
    process.stderr.write(`soak: leaving out ${name}: ${(err as Error).message.split('\n')[0]}\n`);
    return false;
  }
});
const cases = selectCases(await loadCatalogue(), { protocols: protocolsFrom(arg('protocol', ''), PROTOCOL_NAMES) });
await runCases(cases.slice(0, 3), profileClient('reference'), { workers: 2 }); // warm caches before the baseline
await new Promise((r) => setTimeout(r, 300));
// stdout and stderr create their handles on first use: do that before the baseline.
process.stdout.write('');
process.stderr.write('');
const before = resources();
const handlesBefore = handles();
const caseByPort = new Map<number, string>();
const verdicts = new Map<string, string[]>();
let executed = 0;
const started = performance.now();
for (let run = 1; run <= runs; run++) {
  for (const name of clientNames) {
    const results = await runCases(cases, profileClient(name), {});
    executed += results.length;
    for (const r of results) {
      for (const e of r.events) if (e.type === 'listening') caseByPort.set(e.port, r.id);
      const key = `${name} :: ${r.id}`;
      verdicts.set(key, [...(verdicts.get(key) ?? []), r.status]);
    }
  }
  process.stdout.write(`run ${run}/${runs}: ${executed} cases so far\n`);
}
await new Promise((r) => setTimeout(r, 500));
const after = resources();
const flaky = [...verdicts].filter(([, seen]) => new Set(seen).size > 1);
process.stdout.write(`\n${executed} cases in ${((performance.now() - started) / 1000).toFixed(1)} s over ${runs} runs of ${cases.length} cases × ${clientNames.join(', ')}\n`);
process.stdout.write(`verdicts that changed between runs: ${flaky.length}\n`);
for (const [key, seen] of flaky) {
  const counts = Object.entries(seen.reduce<Record<string, number>>((acc, s) => ({ ...acc, [s]: (acc[s] ?? 0) + 1 }), {}));
  process.stdout.write(`  ${key}: ${counts.map(([s, n]) => `${s}×${n}`).join(' ')}\n`);
}
const row = (label: string, a: number, b: number): string => `  ${label.padEnd(22)} ${String(a).padStart(5)} → ${String(b).padStart(5)}${a === b ? '' : '   ← changed'}\n`;
process.stdout.write('\nresources, before → after:\n');
process.stdout.write(row('file descriptors', before.fds, after.fds));
process.stdout.write(row('sockets', before.sockets, after.sockets));
process.stdout.write(row('child processes', before.children, after.children));
process.stdout.write(row('client processes (any)', before.clientProcesses, after.clientProcesses));
const kinds = [...new Set([...Object.keys(before.active), ...Object.keys(after.active)])];
for (const kind of kinds) process.stdout.write(row(`active ${kind}`, before.active[kind] ?? 0, after.active[kind] ?? 0));
const changed = before.fds !== after.fds || before.sockets !== after.sockets || before.children !== after.children || before.clientProcesses !== after.clientProcesses
  || kinds.some((k) => (before.active[k] ?? 0) !== (after.active[k] ?? 0));
const leaked = [...handles()].filter((h) => !handlesBefore.has(h));
if (leaked.length) {
  process.stdout.write('\nhandles left behind:\n');
  for (const h of leaked) process.stdout.write(`  ${describeHandle(h, caseByPort)}\n`);
}
process.exit(flaky.length || changed ? 1 : 0);
