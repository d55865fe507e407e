/**
 * `npm run soak`: the whole catalogue N times (default 20) against the
 * reference client at default settings (the adaptive scheduler), each run
 * compared verdict by verdict with the first. `--neighbour` starts a second
 * full run (the CLI, as a separate process: a noisy CI neighbour) beside each
 * one, and compares its verdicts with the first run's too. Reports every
 * verdict change with both verdicts and their reason lines (target: none), the
 * wall time of each run, client processes left running after each run, and
 * whether file descriptors, sockets, child processes and timers are back to
 * their starting counts at the end (measured from /proc and Node's active
 * resources), naming each handle left behind. Writes reports/soak.json
 * (reports/soak-neighbour.json with --neighbour). Exits
 * 1 when a verdict changed or a count did not come back, and exits even then:
 * a leaked listener must not keep it running.
 *
 *   npm run soak -- --runs 5 --neighbour --clients reference,curl --protocol https
 */
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { CaseResult } from '../harness/run/result.js';
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
  const live = pids()
    .map((pid) => ({ pid, stat: statOf(pid) }))
    .filter((p) => p.stat && p.stat.state !== 'Z');
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

const fromHere = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
/** Runs from dist/scripts/soak.js (npm run soak builds first). */
const repoRoot = fromHere('../../');
const cliPath = fromHere('../harness/cli.js');

/** What a verdict change shows: the verdict and why (the result's reason and every unmet check's). */
interface Verdict {
  status: string;
  reasons: string[];
}

function verdictOf(r: Pick<CaseResult, 'status' | 'reason' | 'checks' | 'outcome' | 'durationMs'>): Verdict {
  // What the client said and how long it all took: what tells a flaky case's cause from another's.
  const said = (r.outcome?.stderr ?? '')
    .trim()
    .split('\n')
    .filter(Boolean)
    .slice(-3)
    .map((l) => `client: ${l}`);
  const timing = r.outcome
    ? [`took ${r.durationMs} ms, the client ${r.outcome.durationMs} ms${r.outcome.hung ? ' (hung)' : ''}`]
    : [];
  const reasons = [
    ...(r.reason ? [r.reason] : []),
    ...r.checks.filter((c) => !c.met).map((c) => `${c.expectation}${c.reason ? `: ${c.reason}` : ''}`),
    ...(r.status === 'pass' ? [] : [...said, ...timing]),
  ];
  return { status: r.status, reasons: [...new Set(reasons)] };
}

interface Change {
  run: number;
  /** `soak`: this process's run; `neighbour`: the CLI run beside it. */
  source: 'soak' | 'neighbour';
  client: string;
  case: string;
  first: Verdict;
  now: Verdict;
}

interface RunRecord {
  run: number;
  wallMs: Record<string, number>;
  neighbourWallMs?: number;
  neighbourExit?: number | null;
  changes: number;
  /** This soak's client processes still alive once the run (and its neighbour) ended. */
  clientProcessesAfter: number;
}

/** A full CLI run at default settings in a child process; its verdicts from its results.json. */
async function neighbourRun(
  scratch: string,
  run: number,
  protocol: string,
): Promise<{ wallMs: number; code: number | null; results: CaseResult[] }> {
  const dir = join(scratch, `neighbour-${run}`);
  const argv = [
    cliPath,
    '--artifacts',
    'none',
    '--json',
    join(dir, 'results.json'),
    '--junit',
    join(dir, 'junit.xml'),
    '--html',
    join(dir, 'index.html'),
    ...(protocol ? ['--protocol', protocol] : []),
  ];
  const started = performance.now();
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, argv, { cwd: repoRoot, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('close', (c) =>
      c === 0 || c === 1 ? resolve(c) : reject(new Error(`neighbour run exited ${c}: ${stderr.trim()}`)),
    );
  });
  const wallMs = performance.now() - started;
  const { results } = JSON.parse(await readFile(join(dir, 'results.json'), 'utf8')) as { results: CaseResult[] };
  await rm(dir, { recursive: true, force: true });
  return { wallMs, code, results };
}

const runs = Number(arg('runs', '20'));
const withNeighbour = process.argv.includes('--neighbour');
const protocolArg = arg('protocol', '');
/** Built-in profiles whose program is installed (reference-cli included); the others are named and left out. */
const clientNames = arg('clients', 'reference')
  .split(',')
  .filter((name) => {
    try {
      profileClient(name);
      return true;
    } catch (err) {
      process.stderr.write(`soak: leaving out ${name}: ${(err as Error).message.split('\n')[0]}\n`);
      return false;
    }
  });
const cases = selectCases(await loadCatalogue(), { protocols: protocolsFrom(protocolArg, PROTOCOL_NAMES) });
const scratch = await mkdtemp(join(tmpdir(), 'conform-soak-'));
await runCases(cases.slice(0, 3), profileClient('reference'), { workers: 2 }); // warm caches before the baseline
await new Promise((r) => setTimeout(r, 300));
// stdout and stderr create their handles on first use: do that before the baseline.
process.stdout.write('');
process.stderr.write('');
const before = resources();
const handlesBefore = handles();
const caseByPort = new Map<number, string>();
/** The first run's verdict of each client × case, which every later one is compared with. */
const first = new Map<string, Verdict>();
const changes: Change[] = [];
const records: RunRecord[] = [];
let executed = 0;
const started = performance.now();
process.stdout.write(
  `soak: ${runs} runs of ${cases.length} cases × ${clientNames.join(', ')}, default settings${withNeighbour ? ', each with a neighbour (a second full CLI run, reference) beside it' : ''}\n`,
);

/** Compares one run's results with the first run's (the first run sets them), recording each change. */
function compare(run: number, source: Change['source'], client: string, results: readonly CaseResult[]): number {
  let n = 0;
  for (const r of results) {
    const key = `${client} :: ${r.id}`;
    const now = verdictOf(r);
    const was = first.get(key);
    if (!was) {
      first.set(key, now);
      continue;
    }
    if (was.status !== now.status) {
      changes.push({ run, source, client, case: r.id, first: was, now });
      n++;
    }
  }
  return n;
}

for (let run = 1; run <= runs; run++) {
  const record: RunRecord = { run, wallMs: {}, changes: 0, clientProcessesAfter: 0 };
  // The neighbour starts with the first client's run, so the two overlap from the start.
  const neighbour = withNeighbour ? neighbourRun(scratch, run, protocolArg) : undefined;
  neighbour?.catch(() => undefined); // judged below, once this run is done
  for (const name of clientNames) {
    const t0 = performance.now();
    const results = await runCases(cases, profileClient(name), {});
    record.wallMs[name] = Math.round(performance.now() - t0);
    executed += results.length;
    for (const r of results) for (const e of r.events) if (e.type === 'listening') caseByPort.set(e.port, r.id);
    record.changes += compare(run, 'soak', name, results);
  }
  if (neighbour) {
    const n = await neighbour;
    record.neighbourWallMs = Math.round(n.wallMs);
    record.neighbourExit = n.code;
    executed += n.results.length;
    // The neighbour runs the reference client: the soak's own first reference run is its baseline.
    record.changes += compare(run, 'neighbour', 'reference', n.results);
  }
  record.clientProcessesAfter = resources().clientProcesses;
  records.push(record);
  const walls = Object.entries(record.wallMs)
    .map(([c, w]) => `${c} ${(w / 1000).toFixed(1)} s`)
    .join(', ');
  process.stdout.write(
    `run ${run}/${runs}: ${walls}${record.neighbourWallMs !== undefined ? `, neighbour ${(record.neighbourWallMs / 1000).toFixed(1)} s` : ''}; verdict changes ${record.changes}; client processes left ${record.clientProcessesAfter}\n`,
  );
}
await new Promise((r) => setTimeout(r, 500));
const after = resources();
const totalS = ((performance.now() - started) / 1000).toFixed(1);
process.stdout.write(
  `\n${executed} cases in ${totalS} s over ${runs} runs of ${cases.length} cases × ${clientNames.join(', ')}${withNeighbour ? ' (+ neighbour)' : ''}\n`,
);
process.stdout.write(`verdicts that changed from the first run: ${changes.length}\n`);
for (const c of changes) {
  process.stdout.write(`  run ${c.run} ${c.source} ${c.client} :: ${c.case}: ${c.first.status} → ${c.now.status}\n`);
  for (const line of c.first.reasons) process.stdout.write(`      first: ${line}\n`);
  for (const line of c.now.reasons) process.stdout.write(`      now:   ${line}\n`);
}
for (const name of clientNames) {
  const walls = records.map((r) => r.wallMs[name]!).sort((a, b) => a - b);
  process.stdout.write(
    `wall per run, ${name}: min ${(walls[0]! / 1000).toFixed(1)} s, median ${(walls[walls.length >> 1]! / 1000).toFixed(1)} s, max ${(walls[walls.length - 1]! / 1000).toFixed(1)} s\n`,
  );
}
const row = (label: string, a: number, b: number): string =>
  `  ${label.padEnd(22)} ${String(a).padStart(5)} → ${String(b).padStart(5)}${a === b ? '' : '   ← changed'}\n`;
process.stdout.write('\nresources, before → after:\n');
process.stdout.write(row('file descriptors', before.fds, after.fds));
process.stdout.write(row('sockets', before.sockets, after.sockets));
process.stdout.write(row('child processes', before.children, after.children));
process.stdout.write(row('client processes (any)', before.clientProcesses, after.clientProcesses));
const kinds = [...new Set([...Object.keys(before.active), ...Object.keys(after.active)])];
for (const kind of kinds)
  process.stdout.write(row(`active ${kind}`, before.active[kind] ?? 0, after.active[kind] ?? 0));
const strayRuns = records.filter((r) => r.clientProcessesAfter > before.clientProcesses);
const changed =
  before.fds !== after.fds ||
  before.sockets !== after.sockets ||
  before.children !== after.children ||
  before.clientProcesses !== after.clientProcesses ||
  kinds.some((k) => (before.active[k] ?? 0) !== (after.active[k] ?? 0)) ||
  strayRuns.length > 0;
const leaked = [...handles()].filter((h) => !handlesBefore.has(h)).map((h) => describeHandle(h, caseByPort));
if (leaked.length) {
  process.stdout.write('\nhandles left behind:\n');
  for (const h of leaked) process.stdout.write(`  ${h}\n`);
}
if (strayRuns.length)
  process.stdout.write(`\nclient processes still running after runs ${strayRuns.map((r) => r.run).join(', ')}\n`);
await mkdir(join(repoRoot, 'reports'), { recursive: true });
/** One report per mode, so that the bench can show both (reports/soak.json, reports/soak-neighbour.json). */
const reportName = withNeighbour ? 'soak-neighbour.json' : 'soak.json';
await writeFile(
  join(repoRoot, 'reports', reportName),
  `${JSON.stringify(
    {
      at: new Date().toISOString(),
      runs,
      neighbour: withNeighbour,
      clients: clientNames,
      cases: cases.length,
      executed,
      totalMs: Math.round(performance.now() - started),
      verdictChanges: changes.length,
      changes,
      perRun: records,
      resources: { before, after, leakedHandles: leaked },
    },
    null,
    2,
  )}\n`,
);
await rm(scratch, { recursive: true, force: true });
process.stdout.write(`\nWrote reports/${reportName}\n`);
process.exit(changes.length || changed ? 1 : 0);
