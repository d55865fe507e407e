import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { Reporter } from '../report/reporter.js';
import { ReporterMux } from '../report/reporter.js';
import type { CaseResult } from '../run/result.js';
import { summarize, type Summary } from '../run/summary.js';
import type { Case } from '../suite/case.js';

/** The JSON results file (`--json`): what a shard leaves for `merge`. */
export interface ResultsFile {
  version: 1;
  strict: boolean;
  summary: Summary;
  results: CaseResult[];
}

async function readResults(file: string): Promise<ResultsFile> {
  let data: Partial<ResultsFile>;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as Partial<ResultsFile>;
  } catch (err) {
    throw new UsageError('BAD_FLAG', `merge: cannot read ${file}: ${(err as Error).message}`);
  }
  if (data.version !== 1 || !Array.isArray(data.results)) throw new UsageError('BAD_FLAG', `merge: ${file} is not a Conform results file (version 1)`);
  return data as ResultsFile;
}

/**
 * Replays shard results into reporters as one run: results in catalogue order
 * (as an unsharded run lists them), per client in the order first seen, and
 * one summary recomputed from them.
 */
export async function mergeResults(files: string[], catalogue: Case[], reporters: Reporter[]): Promise<Summary> {
  if (!files.length) throw new UsageError('BAD_FLAG', 'merge: give the results files of the shards');
  const shards = await Promise.all(files.map(readResults));
  const order = new Map(catalogue.map((c, i) => [c.id, i]));
  const all = shards.flatMap((s) => s.results);
  const clients = [...new Set(all.map((r) => r.client))];
  const seen = new Set<string>();
  for (const r of all) {
    const key = `${r.client}\u0000${r.id}`;
    if (seen.has(key)) throw new UsageError('BAD_FLAG', `merge: case ${r.id} for ${r.client} appears in more than one shard`);
    seen.add(key);
  }
  const rank = (r: CaseResult): number => order.get(r.id) ?? Number.MAX_SAFE_INTEGER;
  const results = [...all].sort((a, b) => clients.indexOf(a.client) - clients.indexOf(b.client) || rank(a) - rank(b) || a.id.localeCompare(b.id));
  const strict = shards.some((s) => s.strict);
  const summary = summarize(results, Math.max(...shards.map((s) => s.summary.durationMs)), strict);
  const mux = new ReporterMux(reporters);
  const ids = new Set(results.map((r) => r.id));
  await mux.onBegin({ cases: catalogue.filter((c) => ids.has(c.id)), clients, workers: 0 });
  for (const r of results) await mux.onCaseEnd(r);
  await mux.onEnd(results, summary);
  return summary;
}
