import { join } from 'node:path';

/** A client label as a folder name. */
function slug(label: string): string {
  return (
    label
      .replace(/[^A-Za-z0-9._-]+/g, '-')
      .replace(/^-+|-+$/g, '')
      .slice(0, 80) || 'client'
  );
}
import { openCertStore } from '../certs/index.js';
import type { ClientAdapter } from './clients/adapter.js';
import { commandClient, moduleClient, profileClient } from './clients/profiles.js';
import { containerClient } from './clients/container.js';
import { UsageError } from './errors.js';
import { consoleReporter } from './report/console.js';
import { jsonReporter } from './report/json.js';
import { junitReporter } from './report/junit.js';
import { htmlReporter } from './report/html.js';
import { ReporterMux, type Reporter } from './report/reporter.js';
import { tapReporter } from './report/tap.js';
import { runCase } from './run/run-case.js';
import { ADAPTIVE_DEFAULTS, runAdaptive, runPool } from './run/pool.js';
import type { CaseResult } from './run/result.js';
import { selectCases, type Selection } from './run/select.js';
import { summarize, type Summary } from './run/summary.js';
import type { Case } from './suite/case.js';
import { loadCatalogue } from './suite/catalogue.js';
import { bindKnownResults, loadKnownResultsSet, type KnownResults } from './known-results.js';
import { applyKnownResults } from './run/known.js';
import { isSourceCheckout } from '../certs/cache-dir.js';
import { clearArtifacts, markClientFolder } from './run/artifacts.js';

/** Resolved settings of a run (the CLI's flags, with defaults filled in). */
/** One client under test, as the command line names it. */
export type ClientSpec = { profile: string } | { cmd: string } | { module: string } | { image: string; cmd?: string };

export interface RunSettings {
  /** The clients under test, each run over every selected case (default: the reference client). */
  clients: ClientSpec[];
  selection: Selection;
  junit: string;
  json: string;
  /** The self-contained HTML report. */
  html: string;
  /** Cases at once (`--workers`); unset: the adaptive scheduler. */
  workers?: number;
  reporters: ('console' | 'tap')[];
  strict: boolean;
  suitesDir?: string;
  bindHost: string;
  /** Extra time past CONFORM_TIMEOUT_MS before a client is killed as hung. Default 1000. */
  graceMs: number;
  /** Multiplies every case's CONFORM_TIMEOUT_MS (slow machines). Default 1. */
  timeoutScale?: number;
  /** Failed cases keep their evidence here (transcript, events, TLS key log). */
  artifactsDir?: string;
  /** Which cases keep their artifacts. Default `failed`. */
  artifacts?: 'failed' | 'all' | 'none';
  /** Known-results files or directories (`--known-results`), bound to the clients they describe: known failures do not fail the run. */
  knownResultsPaths?: string[];
}

export { DEFAULT_WORKERS } from './run/pool.js';
export { loadCatalogue } from './suite/catalogue.js';
export { protocolsFrom } from './run/select.js';

export async function resolveClient(spec: ClientSpec): Promise<ClientAdapter> {
  if ('image' in spec) return containerClient(spec.image, spec.cmd);
  if ('module' in spec) return moduleClient(spec.module);
  return 'cmd' in spec ? commandClient(spec.cmd) : profileClient(spec.profile);
}

/** All clients of a run, resolved before anything starts (so a bad one is a usage error, at once). */
export async function resolveClients(specs: ClientSpec[]): Promise<ClientAdapter[]> {
  const clients = await Promise.all((specs.length ? specs : [{ profile: 'reference' }]).map(resolveClient));
  const labels = clients.map((c) => c.label);
  const twice = labels.find((l, i) => labels.indexOf(l) !== i);
  if (twice) throw new UsageError('BAD_FLAG', `client "${twice}" is given twice`);
  return clients;
}

export interface CaseRunSettings {
  bindHost?: string;
  artifacts?: 'failed' | 'all' | 'none';
  timeoutScale?: number;
  artifactsDir?: string;
  graceMs?: number;
  workers?: number;
  /** The adaptive scheduler's ceiling (default 32), for callers that run several pools in one process. */
  maxWorkers?: number;
}

/**
 * Whether a case is built to make the client wait (a server that stalls, a
 * go-ahead never followed, a peer that never connects): started first, and
 * beside the working cases rather than in their slots, so its wait overlaps
 * them.
 */
function waitsLong(c: Case): boolean {
  return /"stall"|stall-|no-tls-after-go-ahead|never|"delay"|"trickle"|reply-delay/.test(JSON.stringify(c.server));
}

/** Runs cases against one client with no reporting (tests and witnesses use this). */
export async function runCases(
  cases: Case[],
  client: ClientAdapter,
  settings: CaseRunSettings = {},
  onResult: (r: CaseResult) => void = () => undefined,
  expectations?: KnownResults,
): Promise<CaseResult[]> {
  const options = {
    certs: openCertStore(),
    bindHost: settings.bindHost ?? '127.0.0.1',
    graceMs: settings.graceMs ?? 1000,
    reproPrefix: isSourceCheckout() ? 'npm run conform --' : 'npx conform',
    timeoutScale: settings.timeoutScale ?? 1,
    ...(settings.artifactsDir && settings.artifacts !== 'none'
      ? { artifactsDir: settings.artifactsDir, keepArtifacts: settings.artifacts ?? 'failed' }
      : {}),
  };
  const run = async (c: Case): Promise<CaseResult> =>
    applyKnownResults(await runCase(c, client, options), expectations);
  // --workers N: exactly N at once, as it always meant; by default the scheduler knows waiting from working.
  const results = await (settings.workers
    ? runPool(cases, settings.workers, run, onResult)
    : runAdaptive(cases, run, onResult, {
        ...ADAPTIVE_DEFAULTS,
        ...(settings.maxWorkers ? { max: settings.maxWorkers, maxWaiting: settings.maxWorkers } : {}),
        waits: waitsLong as (c: never) => boolean,
      }));
  // What the run generated goes into the certificates' record index, for the next start (certs/store.ts); only a cache.
  await options.certs.flush().catch(() => undefined);
  return results;
}

/**
 * The cases a run selects. Selecting none is a usage error (a mistyped
 * --grep, an empty --suites folder), never a green run that tested nothing;
 * only a shard may come out empty, when the selection is smaller than the
 * shard count, and it then reports its empty slice for `merge`.
 */
export function selectRun(catalogue: Case[], selection: Selection, suitesDir?: string): Case[] {
  if (!catalogue.length) {
    throw new UsageError(
      'BAD_FLAG',
      `no cases selected: ${suitesDir ? `--suites ${suitesDir} holds no suite files (<protocol>/*.yaml)` : 'the catalogue is empty'}`,
    );
  }
  const { shard, ...unsharded } = selection;
  const selected = selectCases(catalogue, unsharded);
  if (!selected.length) {
    const by = [
      selection.protocols ? `--protocol ${selection.protocols.join(',')}` : '',
      selection.grep !== undefined ? `--grep '${selection.grep}'` : '',
    ]
      .filter(Boolean)
      .join(' ');
    throw new UsageError(
      'BAD_FLAG',
      `no cases selected: ${by || 'the selection'} matches none of the ${catalogue.length} cases (see conform list)`,
    );
  }
  return shard ? selectCases(selected, { shard }) : selected;
}

/** Runs the selected cases against one client and reports; resolves with the summary. */
export async function runConform(
  settings: RunSettings,
  extraReporters: Reporter[] = [],
): Promise<{ results: CaseResult[]; summary: Summary }> {
  const clients = await resolveClients(settings.clients);
  const expectations = settings.knownResultsPaths?.length
    ? bindKnownResults(
        await loadKnownResultsSet(settings.knownResultsPaths),
        clients.map((c) => c.label),
      )
    : new Map<string, KnownResults>();
  const cases = selectRun(await loadCatalogue(settings.suitesDir), settings.selection, settings.suitesDir);
  const reporters: Reporter[] = [
    ...settings.reporters.map((r) => (r === 'tap' ? tapReporter() : consoleReporter())),
    junitReporter(settings.junit),
    jsonReporter(settings.json),
    htmlReporter(settings.html),
    ...extraReporters,
  ];
  // What is in the artifacts folder after a run is that run's evidence alone.
  if (settings.artifactsDir) await clearArtifacts(settings.artifactsDir, settings.selection.shard);
  const mux = new ReporterMux(reporters);
  const started = performance.now();
  const { protocols, grep, shard } = settings.selection;
  await mux.onBegin({
    cases,
    clients: clients.map((c) => c.label),
    clientInfo: clients.map((c) => ({ label: c.label, ...(c.version ? { version: c.version } : {}) })),
    workers: settings.workers,
    strict: settings.strict,
    startedAt: new Date(),
    selection: {
      ...(protocols ? { protocols } : {}),
      ...(grep !== undefined ? { grep } : {}),
      ...(shard ? { shard } : {}),
    },
  });
  const results: CaseResult[] = [];
  // Clients one after another: each gets the machine to itself, as its timings assume.
  for (const client of clients) {
    // Several clients: each keeps its artifacts in a folder of its own.
    const artifactsDir =
      settings.artifactsDir && clients.length > 1
        ? join(settings.artifactsDir, slug(client.label))
        : settings.artifactsDir;
    results.push(
      ...(await runCases(
        cases,
        client,
        { ...settings, ...(artifactsDir ? { artifactsDir } : {}) },
        (r) => void mux.onCaseEnd(r),
        expectations.get(client.label),
      )),
    );
    if (
      artifactsDir &&
      artifactsDir !== settings.artifactsDir &&
      results.some((r) => r.client === client.label && r.artifacts)
    )
      await markClientFolder(artifactsDir, client.label);
  }
  const summary = summarize(results, Math.round(performance.now() - started), settings.strict);
  await mux.onEnd(results, summary);
  return { results, summary: mux.faults.length ? { ...summary, exitCode: 2 } : summary };
}
