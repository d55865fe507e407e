// `npm run bench [-- --quick] [-- --protocol P,P]`: times the catalogue (every
// protocol by default) against the reference client and curl at several worker
// counts, the HTTPS suite alone against the reference client, the harness's own overhead per
// case, certificate generation cold and warm, `conform list` start-up and peak
// memory, and checks them against the project's targets. It reports and does
// not gate: the exit status is 0 unless the bench itself broke.
//
// Runs from dist/ (npm run bench builds first): the paths of the CLI and of
// the bench's child scripts are relative to dist/scripts/bench.js.
import { readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { arch, availableParallelism, cpus, loadavg, platform, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { generateAll } from '../certs/index.js';
import { keysCacheDir } from '../certs/cache-dir.js';
import { KEY_KINDS, keyPair } from '../certs/keys.js';
import { profileClient } from '../harness/clients/profiles.js';
import { stopSpawner } from '../harness/clients/spawner-client.js';
import { findExecutable } from '../harness/clients/which.js';
import { DEFAULT_WORKERS, loadCatalogue, protocolsFrom, runCases } from '../harness/conform.js';
import { PROTOCOL_NAMES } from '../harness/protocols.js';
import type { CaseResult } from '../harness/run/result.js';
import { selectCases, type Selection } from '../harness/run/select.js';
import type { Case } from '../harness/suite/case.js';
import type { CertsChildReport } from './bench/certs-child.js';
import { parseMaxRssKb } from './bench/rss.js';
import { spawnTimed } from './bench/spawn.js';
import { spread, type Spread } from './bench/stats.js';
import { ms, seconds, table } from './bench/table.js';
import { scriptOverhead } from './bench/script-overhead.js';

/** The project's performance targets (README, "Benchmarks, soak and fuzz"). */
const TARGETS = {
  /** Whole HTTPS suite, reference client, DEFAULT_WORKERS, on 2 cores. */
  suiteMs: 10_000,
  /** The whole selected catalogue against curl, DEFAULT_WORKERS, on 2 cores. */
  catalogueCurlMs: 30_000,
  /** Peak resident memory of the bench process and of a CLI run, in KiB. */
  peakRssKb: 250 * 1024,
  /** Median of case duration minus the client's lifetime. */
  overheadMedianMs: 5,
  certColdMs: 500,
  certWarmMs: 20,
  /** Median wall time of `conform list` as a fresh process. */
  listMs: 700,
  /** What a 20-rule script adds to each line a line protocol reads. */
  scriptLineMs: 0.1,
  /** Default settings (adaptive scheduler): wall time over the run's CPU floor (all CPU, children included, / cores). */
  floorRatio: 1.25,
  /** CPU of the harness process per case, reference run at default settings (the in-process reference client included). */
  harnessCpuPerCaseMs: 11,
  /** Verdict changes over 20 soak runs at default settings, alone and beside a neighbour run (npm run soak). */
  soakVerdictChanges: 0,
} as const;
const LIST_SPAWNS = 5;
/** Fresh processes per certificate figure (cold: each in a new folder); the median is reported. */
const CERT_SPAWNS = 3;

const fromHere = (path: string): string => fileURLToPath(new URL(path, import.meta.url));
const repoRoot = fromHere('../../');
const cliPath = fromHere('../harness/cli.js');

interface SuiteRun {
  client: string;
  /** 0: the default, adaptive scheduler. */
  workers: number;
  /** CPU of this process and of the clients it ran (reaped children), ms. */
  allCpuMs: number;
  wallMs: number;
  /** user + system CPU of this process; a spawned client's own CPU is not in it. */
  cpuMs: number;
  casesPerSecond: number;
  counts: Record<CaseResult['status'], number>;
  results: CaseResult[];
}

interface CaseOverhead {
  id: string;
  durationMs: number;
  clientMs: number;
  overheadMs: number;
}

interface TargetCheck {
  name: string;
  valueMs: number;
  limitMs: number;
  unit: string;
  pass: boolean;
}

const progress = (text: string): boolean => process.stderr.write(text);

/** This process's CPU and its reaped children's (Linux /proc/self/stat utime, stime, cutime, cstime), ms. */
function cpuWithChildren(): number {
  try {
    const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1]!.split(' ');
    // After the command: state is field 3, so utime (14) … cstime (17) sit at 11 … 14 here; clock ticks of 10 ms.
    return fields.slice(11, 15).reduce((a, f) => a + Number(f), 0) * 10;
  } catch {
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  }
}

async function runSuite(cases: Case[], spec: string, workers: number): Promise<SuiteRun> {
  const client = profileClient(spec);
  progress(`  ${[...new Set(cases.map((c) => c.protocol))].join('+')} × ${spec}, workers=${workers || 'adaptive'} … `);
  const cpuBefore = process.cpuUsage();
  const allBefore = cpuWithChildren();
  const started = performance.now();
  const results = await runCases(cases, client, workers ? { workers } : {});
  const wallMs = performance.now() - started;
  // Command-line clients run as children of the spawner: their CPU is counted once it has exited.
  await stopSpawner();
  const cpu = process.cpuUsage(cpuBefore);
  const allCpuMs = cpuWithChildren() - allBefore;
  progress(`${seconds(wallMs)} s\n`);
  const counts: Record<CaseResult['status'], number> = { pass: 0, fail: 0, skip: 0, error: 0, xfail: 0 };
  for (const r of results) counts[r.status]++;
  return {
    client: spec,
    workers,
    allCpuMs,
    wallMs,
    cpuMs: (cpu.user + cpu.system) / 1000,
    casesPerSecond: results.length / (wallMs / 1000),
    counts,
    results,
  };
}

/** Case duration minus the client's own lifetime: what the harness itself spent (skipped cases excluded). */
function overheads(results: readonly CaseResult[]): CaseOverhead[] {
  return results.flatMap((r) =>
    r.status === 'skip' || !r.outcome
      ? []
      : [
          {
            id: r.id,
            durationMs: r.durationMs,
            clientMs: r.outcome.durationMs,
            overheadMs: r.durationMs - r.outcome.durationMs,
          },
        ],
  );
}

async function certsInChild(dir: string): Promise<CertsChildReport & { wallMs: number }> {
  const run = await spawnTimed([process.execPath, fromHere('./bench/certs-child.js'), dir]);
  if (run.code !== 0) throw new Error(`certificate child exited ${run.code ?? run.signal}: ${run.stderr.trim()}`);
  return { ...(JSON.parse(run.stdout) as CertsChildReport), wallMs: run.wallMs };
}

interface CertsFigure {
  samples: (CertsChildReport & { wallMs: number })[];
  /** Medians over the samples, field by field. */
  median: CertsChildReport & { wallMs: number };
}

/** Cold: generateAll() into CERT_SPAWNS fresh folders; warm: each of those folders again. */
async function certsColdAndWarm(scratch: string): Promise<{ cold: CertsFigure; warm: CertsFigure }> {
  const cold = [];
  const warm = [];
  for (let i = 0; i < CERT_SPAWNS; i++) {
    const dir = join(scratch, `certs-child-${i}`);
    cold.push(await certsInChild(dir));
    warm.push(await certsInChild(dir));
  }
  return { cold: certsFigure(cold), warm: certsFigure(warm) };
}

function certsFigure(samples: (CertsChildReport & { wallMs: number })[]): CertsFigure {
  const med = (pick: (s: CertsChildReport & { wallMs: number }) => number): number => spread(samples.map(pick)).median;
  const median = {
    bootMs: med((s) => s.bootMs),
    importMs: med((s) => s.importMs),
    generateMs: med((s) => s.generateMs),
    totalMs: med((s) => s.totalMs),
    wallMs: med((s) => s.wallMs),
    profiles: samples[0]?.profiles ?? 0,
    generated: med((s) => s.generated),
  };
  return { samples, median };
}

/**
 * `conform list` as fresh processes: with the catalogue cache warm (the usual
 * case, and the target) and with it off (every start parses and validates
 * every suite file, as after an edit or a rebuild).
 */
async function listStartup(cache: 'warm' | 'off'): Promise<{ samplesMs: number[]; spread: Spread }> {
  const env = cache === 'off' ? { CONFORM_CACHE: 'off' } : undefined;
  const samplesMs: number[] = [];
  // Warm: one untimed run fills the cache first.
  for (let i = cache === 'warm' ? -1 : 0; i < LIST_SPAWNS; i++) {
    const run = await spawnTimed([process.execPath, cliPath, 'list'], { cwd: repoRoot, ...(env ? { env } : {}) });
    if (run.code !== 0) throw new Error(`conform list exited ${run.code ?? run.signal}: ${run.stderr.trim()}`);
    if (i >= 0) samplesMs.push(run.wallMs);
  }
  return { samplesMs, spread: spread(samplesMs) };
}

/** The CLI as a user runs it, in a child with a probe that reports its peak RSS. */
async function cliRun(
  workers: number,
  scratch: string,
  protocols: string[],
): Promise<{ wallMs: number; maxRssKb: number | undefined; exitCode: number | null }> {
  const argv = [
    process.execPath,
    '--import',
    fromHere('./bench/rss-probe.js'),
    cliPath,
    '--protocol',
    protocols.join(','),
    '--workers',
    String(workers),
    '--json',
    join(scratch, 'results.json'),
    '--junit',
    join(scratch, 'junit.xml'),
    '--html',
    join(scratch, 'index.html'),
    '--artifacts',
    'none',
  ];
  progress(`  conform --protocol ${protocols.join(',')} (child process), workers=${workers} … `);
  const run = await spawnTimed(argv, { cwd: repoRoot });
  progress(`${seconds(run.wallMs)} s\n`);
  if (run.code !== 0 && run.code !== 1)
    throw new Error(`conform exited ${run.code ?? run.signal}: ${run.stderr.trim()}`);
  return { wallMs: run.wallMs, maxRssKb: parseMaxRssKb(run.stderr), exitCode: run.code };
}

/** A target's figure: ratios with two decimals, counts whole, times as ms() does. */
function figure(value: number, unit: string): string {
  if (!Number.isFinite(value)) return '–';
  if (unit === '×') return value.toFixed(2);
  if (unit === '') return String(Math.round(value));
  return ms(value);
}

function check(name: string, valueMs: number, limitMs: number, unit = 'ms'): TargetCheck {
  return { name, valueMs, limitMs, unit, pass: valueMs <= limitMs };
}

const mb = (kb: number | undefined): string => (kb === undefined ? '–' : `${(kb / 1024).toFixed(0)} MB`);

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const protocolAt = args.indexOf('--protocol');
  const protocols = protocolsFrom(protocolAt >= 0 ? args[protocolAt + 1] : undefined, PROTOCOL_NAMES) ?? [
    ...PROTOCOL_NAMES,
  ];
  const repeatAt = args.indexOf('--repeat');
  const unknown = args.filter(
    (a, i) =>
      a !== '--quick' &&
      a !== '--floor' &&
      i !== protocolAt &&
      i !== protocolAt + 1 &&
      i !== repeatAt &&
      i !== repeatAt + 1,
  );
  if (unknown.length) {
    process.stderr.write(
      `bench: unknown argument ${unknown.join(' ')} (known: --quick, --floor, --repeat N, --protocol P[,P])\n`,
    );
    process.exitCode = 2;
    return;
  }
  const quick = args.includes('--quick');
  if (args.includes('--floor')) {
    await floorBench(protocols, repeatAt >= 0 ? Number(args[repeatAt + 1]) : 1);
    return;
  }
  const cores = availableParallelism();
  const curl = quick ? undefined : findExecutable('curl');
  const workerCounts = quick ? [1, 4] : [1, 2, 4];
  const referenceWorkers = [...new Set([...workerCounts, DEFAULT_WORKERS])].sort((a, b) => a - b);
  const scratch = await mkdtemp(join(tmpdir(), 'conform-bench-'));

  try {
    const catalogue = await loadCatalogue();
    const cases = selectCases(catalogue, { protocols });
    const httpsCases = selectCases(catalogue, { protocols: ['https'] });
    const machine = `node ${process.version}, ${platform()} ${arch()}, ${cores} cores (${cpus()[0]?.model.trim() ?? 'unknown CPU'}), load average ${loadavg()[0]!.toFixed(2)}`;
    console.log(`Conform bench${quick ? ' (--quick: workers 1 and 4, reference client only)' : ''}`);
    const perProtocol = protocols.map((p) => `${p} ${cases.filter((c) => c.protocol === p).length}`).join(', ');
    console.log(`${machine}; DEFAULT_WORKERS=${DEFAULT_WORKERS}; catalogue: ${cases.length} cases (${perProtocol})`);
    // Timings are wall clock: anything else running on the machine inflates them.
    if (loadavg()[0]! > 1)
      console.log(
        `note: load average ${loadavg()[0]!.toFixed(2)} before the bench started — other processes are competing for the ${cores} cores, so figures are inflated`,
      );
    console.log();

    // RSA keys (1024 to 8192 bits) are made once per machine and shared by every certificate
    // folder (certs/keys.ts): made here if missing, so that "cold" times certificates, not keys.
    progress('RSA key cache …\n');
    const keysStarted = performance.now();
    await Promise.all(KEY_KINDS.map((kind) => keyPair(kind, keysCacheDir())));
    const keysMs = performance.now() - keysStarted;

    progress('certificates in fresh processes …\n');
    const childCerts = await certsColdAndWarm(scratch);
    const childCold = childCerts.cold.median;
    const childWarm = childCerts.warm.median;

    // Suite runs use the default cache, warmed first: cold generation is measured on its own above.
    const warmed = await generateAll();
    progress(
      `certificate cache ${relative(repoRoot, warmed.dir)}: ${warmed.generated.length} of ${Object.keys(warmed.certs).length} profiles generated before timing\n`,
    );

    progress('suite runs …\n');
    const runs: SuiteRun[] = [];
    for (const w of [...referenceWorkers, 0]) runs.push(await runSuite(cases, 'reference', w));
    if (curl)
      for (const w of [...new Set([...workerCounts, DEFAULT_WORKERS]), 0]) runs.push(await runSuite(cases, 'curl', w));
    const httpsRun = protocols.includes('https') ? await runSuite(httpsCases, 'reference', DEFAULT_WORKERS) : undefined;
    const benchMaxRssKb = process.resourceUsage().maxRSS;

    // In-process certificate figures: a throwaway first call loads the generator's modules.
    await generateAll({ dir: join(scratch, 'certs-load') });
    const inProcessCold = await generateAll({ dir: join(scratch, 'certs-in-process') });
    const inProcessWarm = await generateAll({ dir: join(scratch, 'certs-in-process') });

    progress(`conform list × ${LIST_SPAWNS}, catalogue cache warm and off …\n`);
    const list = await listStartup('warm');
    const listUncached = await listStartup('off');
    const cli = quick ? undefined : await cliRun(DEFAULT_WORKERS, scratch, protocols);

    // ── Suite runs
    console.log('Suite runs (certificate cache warm)');
    console.log(
      table(
        ['client', 'workers', 'wall s', 'cases/s', 'cpu s¹', 'pass', 'fail', 'skip', 'error'],
        runs.map((r) => [
          r.client,
          r.workers ? String(r.workers) : 'adaptive',
          seconds(r.wallMs),
          r.casesPerSecond.toFixed(1),
          seconds(r.cpuMs),
          ...(['pass', 'fail', 'skip', 'error'] as const).map((s) => String(r.counts[s])),
        ]),
      ),
    );
    console.log(
      '  ¹ CPU of the bench process (user+sys); a spawned client such as curl spends its own CPU outside it.\n',
    );

    // ── Overhead
    const overheadByClient = runs
      .filter((r) => r.workers === 1)
      .map((r) => {
        const perCase = overheads(r.results);
        return { client: r.client, perCase, spread: spread(perCase.map((o) => o.overheadMs)) };
      });
    console.log(
      'Harness overhead per case = case duration − client lifetime (workers=1 runs, so no contention between cases; skipped cases excluded)',
    );
    console.log(
      table(
        ['client', 'cases', 'median ms', 'p95 ms', 'mean ms', 'max ms'],
        overheadByClient.map((o) => [
          o.client,
          String(o.spread.n),
          ms(o.spread.median),
          ms(o.spread.p95),
          ms(o.spread.mean),
          ms(o.spread.max),
        ]),
      ),
    );
    for (const o of overheadByClient) {
      const worst = [...o.perCase].sort((a, b) => b.overheadMs - a.overheadMs).slice(0, 3);
      console.log(`  largest (${o.client}): ${worst.map((w) => `${w.id} ${w.overheadMs} ms`).join(', ')}`);
    }
    console.log();

    // ── Certificates
    console.log(
      `Certificates (${childCold.profiles} profiles; cold = fresh folder, warm = same folder again; fresh-process figures are medians of ${CERT_SPAWNS})`,
    );
    console.log(
      table(
        ['', 'cold ms', 'warm ms'],
        [
          ['fresh process: import certs/ + generateAll()  (judged)', ms(childCold.totalMs), ms(childWarm.totalMs)],
          ['  of which generateAll() as it times itself', ms(childCold.generateMs), ms(childWarm.generateMs)],
          ['fresh process: spawn to exit, with Node start-up', ms(childCold.wallMs), ms(childWarm.wallMs)],
          ['in the bench process, modules already loaded', ms(inProcessCold.ms), ms(inProcessWarm.ms)],
        ],
      ),
    );
    console.log(
      `  generated: cold ${childCold.generated}, warm ${childWarm.generated}; Node start-up before the child's first line: ${ms(childCold.bootMs)} ms`,
    );
    console.log(
      `  RSA key cache (${relative(repoRoot, keysCacheDir())}, made once per machine, shared by every folder): ${ms(keysMs)} ms in this bench${keysMs > 1000 ? ' (made now)' : ' (already made)'}\n`,
    );

    // ── list start-up
    console.log(`conform list start-up (${LIST_SPAWNS} fresh processes each, ${catalogue.length} cases)`);
    console.log(
      table(
        ['catalogue', 'median ms', 'min ms', 'max ms'],
        [
          ['cached (same suites, same build)', ms(list.spread.median), ms(list.spread.min), ms(list.spread.max)],
          [
            'validated (CONFORM_CACHE=off: YAML + zod)',
            ms(listUncached.spread.median),
            ms(listUncached.spread.min),
            ms(listUncached.spread.max),
          ],
        ],
      ),
    );
    console.log();

    // ── Memory
    console.log('Peak RSS (process.resourceUsage().maxRSS)');
    console.log(`  bench process, through the suite runs above (in-process reference client): ${mb(benchMaxRssKb)}`);
    if (cli)
      console.log(
        `  conform CLI child, ${cases.length} cases, reference, workers=${DEFAULT_WORKERS}: ${mb(cli.maxRssKb)} (wall ${seconds(cli.wallMs)} s, exit ${cli.exitCode})`,
      );
    console.log();

    // ── Script overhead
    const script = scriptOverhead();
    console.log(`Script overhead (SMTP, ${script.rules} rules tried on every line, none matching)`);
    console.log(
      `  per line: machine alone ${script.plainMs.toFixed(4)} ms, with the script ${script.scriptedMs.toFixed(4)} ms, added ${script.overheadMs.toFixed(4)} ms\n`,
    );

    // ── Targets
    const curlRun = runs.find((r) => r.client === 'curl' && r.workers === DEFAULT_WORKERS);
    // The default settings against the run's CPU floor: all its CPU (harness, servers, clients) spread over the cores.
    const adaptive = runs.filter((r) => r.workers === 0);
    printFloor(adaptive, cores);
    const coreNote = cores === 2 ? '' : ` [this machine has ${cores} cores, the target is for 2]`;
    const checks: TargetCheck[] = [
      ...(httpsRun
        ? [
            check(
              `HTTPS suite (${httpsCases.length}), reference, workers=${DEFAULT_WORKERS}${coreNote}`,
              httpsRun.wallMs,
              TARGETS.suiteMs,
            ),
          ]
        : []),
      ...(curlRun
        ? [
            check(
              `catalogue (${cases.length}), curl, workers=${DEFAULT_WORKERS}${coreNote}`,
              curlRun.wallMs,
              TARGETS.catalogueCurlMs,
            ),
          ]
        : []),
      check('peak RSS, bench process', Math.round(benchMaxRssKb / 1024), TARGETS.peakRssKb / 1024, 'MiB'),
      ...(cli?.maxRssKb
        ? [check('peak RSS, CLI run', Math.round(cli.maxRssKb / 1024), TARGETS.peakRssKb / 1024, 'MiB')]
        : []),
      ...overheadByClient.map((o) =>
        check(`harness overhead median, ${o.client}`, o.spread.median, TARGETS.overheadMedianMs),
      ),
      check('certificates cold (fresh process)', childCold.totalMs, TARGETS.certColdMs),
      check('certificates warm (fresh process)', childWarm.totalMs, TARGETS.certWarmMs),
      check('conform list start-up, median (catalogue cached)', list.spread.median, TARGETS.listMs),
      check(`script overhead per line (${script.rules} rules)`, script.overheadMs, TARGETS.scriptLineMs),
      ...floorChecks(adaptive, cores),
    ];
    console.log('Targets');
    console.log(
      table(
        ['', 'target', 'measured', ''],
        checks.map((c) => [
          c.name,
          `≤ ${figure(c.limitMs, c.unit)} ${c.unit}`,
          `${figure(c.valueMs, c.unit)} ${c.unit}`,
          c.pass ? 'PASS' : 'MISS',
        ]),
      ),
    );

    const reportFile = join(repoRoot, 'reports', 'bench.json');
    await mkdir(join(repoRoot, 'reports'), { recursive: true });
    const report = {
      at: new Date().toISOString(),
      quick,
      machine: {
        node: process.version,
        platform: platform(),
        arch: arch(),
        cores,
        cpu: cpus()[0]?.model.trim(),
        loadAverage: loadavg(),
      },
      defaultWorkers: DEFAULT_WORKERS,
      cases: cases.length,
      curl: curl ?? null,
      runs: runs.map(({ results: _r, ...run }) => run),
      overhead: overheadByClient.map((o) => ({ client: o.client, workers: 1, ...o.spread, perCase: o.perCase })),
      certs: {
        childCold: childCerts.cold,
        childWarm: childCerts.warm,
        inProcess: { coldMs: inProcessCold.ms, warmMs: inProcessWarm.ms },
        rsaKeyCacheMs: keysMs,
      },
      list: { spawns: LIST_SPAWNS, ...list, uncached: listUncached },
      maxRssKb: { bench: benchMaxRssKb, cli: cli?.maxRssKb ?? null },
      cli: cli ?? null,
      targets: checks,
    };
    await writeFile(reportFile, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`\nWrote ${relative(process.cwd(), reportFile)}`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}

/** The CPU floor of a run: all its CPU (harness, servers, clients) spread over the cores. */
const floorOf = (r: SuiteRun, cores: number): number => r.allCpuMs / cores;

function printFloor(adaptive: readonly SuiteRun[], cores: number): void {
  for (const r of adaptive) {
    console.log(
      `default settings (adaptive), ${r.client}: wall ${seconds(r.wallMs)} s, CPU ${seconds(r.allCpuMs)} s (harness process ${seconds(r.cpuMs)} s) over ${cores} cores = floor ${seconds(floorOf(r, cores))} s; ratio ${(r.wallMs / floorOf(r, cores)).toFixed(2)} (target ≤ ${TARGETS.floorRatio}); harness CPU per case ${(r.cpuMs / r.results.length).toFixed(1)} ms${r.client === 'reference' ? ` (target ≤ ${TARGETS.harnessCpuPerCaseMs} ms)` : ''}`,
    );
  }
  if (adaptive.length) console.log();
}

/** Verdict changes of the last 20-run soaks (alone, and beside a neighbour): npm run soak writes them. */
function soakFigures(): { name: string; changes: number | undefined; runs: number | undefined }[] {
  return (['soak.json', 'soak-neighbour.json'] as const).map((file) => {
    const name = file === 'soak.json' ? 'default settings' : 'default settings + neighbour';
    try {
      const soak = JSON.parse(readFileSync(join(repoRoot, 'reports', file), 'utf8')) as {
        runs: number;
        verdictChanges: number;
        clients: string[];
      };
      return { name, changes: soak.verdictChanges, runs: soak.runs };
    } catch {
      return { name, changes: undefined, runs: undefined };
    }
  });
}

function floorChecks(adaptive: readonly SuiteRun[], cores: number): TargetCheck[] {
  return [
    ...adaptive.map((r) =>
      check(
        `catalogue × ${r.client}, default settings: wall / CPU floor (floor ${seconds(floorOf(r, cores))} s)`,
        Number((r.wallMs / floorOf(r, cores)).toFixed(2)),
        TARGETS.floorRatio,
        '×',
      ),
    ),
    ...adaptive
      .filter((r) => r.client === 'reference')
      .map((r) =>
        check(
          'harness CPU per case, reference, default settings',
          Number((r.cpuMs / r.results.length).toFixed(1)),
          TARGETS.harnessCpuPerCaseMs,
        ),
      ),
    // Not measured here (it takes 20 full runs twice): read from the soak's reports, or shown as missing.
    ...soakFigures().map((f) =>
      f.changes === undefined
        ? {
            name: `verdict changes, soak at ${f.name} (npm run soak${f.name.includes('neighbour') ? ' -- --neighbour' : ''}: no report yet)`,
            valueMs: NaN,
            limitMs: TARGETS.soakVerdictChanges,
            unit: '',
            pass: false,
          }
        : check(
            `verdict changes, soak at ${f.name}, ${f.runs} runs (reports/, npm run soak)`,
            f.changes,
            TARGETS.soakVerdictChanges,
            '',
          ),
    ),
  ];
}

/**
 * `--floor`: only the default-settings runs of the catalogue (reference, then
 * curl when installed), `repeat` times each, and their targets: wall over the
 * CPU floor, harness CPU per case, and the soak's verdict changes. The median
 * run (by ratio) of each client is reported.
 */
async function floorBench(protocols: Selection['protocols'], repeat: number): Promise<void> {
  const cores = availableParallelism();
  const cases = selectCases(await loadCatalogue(), { protocols });
  await generateAll();
  console.log(
    `Conform bench --floor: ${cases.length} cases, default settings, ${repeat} run(s) per client; ${cores} cores, load average ${loadavg()[0]!.toFixed(2)}`,
  );
  const median: SuiteRun[] = [];
  for (const client of ['reference', ...(findExecutable('curl') ? ['curl'] : [])]) {
    const runs: SuiteRun[] = [];
    for (let i = 0; i < repeat; i++) runs.push(await runSuite(cases, client, 0));
    runs.sort((a, b) => a.wallMs / a.allCpuMs - b.wallMs / b.allCpuMs);
    if (repeat > 1)
      console.log(
        `${client}: ratios ${runs.map((r) => (r.wallMs / floorOf(r, cores)).toFixed(2)).join(', ')}; walls ${runs.map((r) => seconds(r.wallMs)).join(', ')} s`,
      );
    median.push(runs[runs.length >> 1]!);
  }
  console.log();
  printFloor(median, cores);
  const checks = floorChecks(median, cores);
  console.log('Targets');
  console.log(
    table(
      ['', 'target', 'measured', ''],
      checks.map((c) => [
        c.name,
        `≤ ${figure(c.limitMs, c.unit)} ${c.unit}`,
        `${figure(c.valueMs, c.unit)} ${c.unit}`,
        c.pass ? 'PASS' : 'MISS',
      ]),
    ),
  );
  const reportFile = join(repoRoot, 'reports', 'bench-floor.json');
  await mkdir(join(repoRoot, 'reports'), { recursive: true });
  await writeFile(
    reportFile,
    `${JSON.stringify({ at: new Date().toISOString(), cores, loadAverage: loadavg(), cases: cases.length, repeat, runs: median.map(({ results: _r, ...run }) => ({ ...run, floorMs: floorOf(run as SuiteRun, cores), ratio: run.wallMs / floorOf(run as SuiteRun, cores) })), targets: checks }, null, 2)}\n`,
  );
  console.log(`\nWrote ${relative(process.cwd(), reportFile)}`);
}

try {
  await main();
} catch (err) {
  process.stderr.write(`bench: crashed: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
}
