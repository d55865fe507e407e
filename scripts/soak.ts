/**
 * `npm run soak`: the whole catalogue N times (default 20) against the
 * reference client and curl. Reports every case whose verdict changed between
 * runs (target: none), and whether file descriptors, sockets, child processes
 * and timers are back to their starting counts afterwards (measured from /proc
 * and Node's active resources).
 *
 *   npm run soak -- --runs 5 --clients reference,curl --protocol https
 */
import { readdirSync, readlinkSync, readFileSync } from 'node:fs';
import { loadCatalogue, runCases } from '../harness/conform.js';
import { profileClient } from '../harness/clients/profiles.js';
import { findExecutable } from '../harness/clients/which.js';
import { selectCases } from '../harness/run/select.js';
import { protocolsFrom } from '../harness/conform.js';

interface Resources {
  fds: number;
  sockets: number;
  children: number;
  active: Record<string, number>;
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
  // Descendants still alive: processes whose parent is this one.
  const children = readdirSync('/proc').filter((p) => /^\d+$/.test(p)).filter((p) => {
    try {
      const stat = readFileSync(`/proc/${p}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      return Number(fields[1]) === process.pid && fields[0] !== 'Z';
    } catch {
      return false;
    }
  }).length;
  const active: Record<string, number> = {};
  for (const kind of process.getActiveResourcesInfo()) active[kind] = (active[kind] ?? 0) + 1;
  return { fds: fds.length, sockets, children, active };
}

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const runs = Number(arg('runs', '20'));
const clientNames = arg('clients', 'reference,curl').split(',').filter((c) => c === 'reference' || findExecutable(c.split(' ')[0]!));
const cases = selectCases(await loadCatalogue(), { protocols: protocolsFrom(arg('protocol', '')) });
await runCases(cases.slice(0, 3), profileClient('reference'), { workers: 2 }); // warm caches before the baseline
await new Promise((r) => setTimeout(r, 300));
// stdout and stderr create their handles on first use: do that before the baseline.
process.stdout.write('');
process.stderr.write('');
const before = resources();
const verdicts = new Map<string, string[]>();
let executed = 0;
const started = performance.now();
for (let run = 1; run <= runs; run++) {
  for (const name of clientNames) {
    const results = await runCases(cases, profileClient(name), {});
    executed += results.length;
    for (const r of results) {
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
for (const kind of new Set([...Object.keys(before.active), ...Object.keys(after.active)])) {
  process.stdout.write(row(`active ${kind}`, before.active[kind] ?? 0, after.active[kind] ?? 0));
}
process.exitCode = flaky.length ? 1 : 0;
