import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors.js';
import type { ClientInfo, Reporter, SelectionInfo } from '../report/reporter.js';
import { ReporterMux } from '../report/reporter.js';
import type { CaseResult } from '../run/result.js';
import { summarize, type Summary } from '../run/summary.js';
import type { Case } from '../suite/case.js';

/** The JSON results file (`--json`): what a shard leaves for `merge`. */
export interface ResultsFile {
  version: 1;
  strict: boolean;
  /** ISO time the run started (absent in files written before it was recorded). */
  startedAt?: string;
  /** The run's selection, with its shard when sharded. */
  selection?: SelectionInfo;
  clients?: ClientInfo[];
  summary: Summary;
  results: CaseResult[];
}

async function readResults(file: string): Promise<ResultsFile & { file: string }> {
  let data: Partial<ResultsFile>;
  try {
    data = JSON.parse(await readFile(file, 'utf8')) as Partial<ResultsFile>;
  } catch (err) {
    throw new UsageError('BAD_FLAG', `merge: cannot read ${file}: ${(err as Error).message}`);
  }
  if (data.version !== 1 || !Array.isArray(data.results))
    throw new UsageError('BAD_FLAG', `merge: ${file} is not a Conform results file (version 1)`);
  return { ...(data as ResultsFile), file };
}

type Shard = ResultsFile & { file: string };

const selectionText = (s: SelectionInfo | undefined): string =>
  [s?.protocols ? `--protocol ${s.protocols.join(',')}` : '', s?.grep !== undefined ? `--grep '${s.grep}'` : '']
    .filter(Boolean)
    .join(' ') || 'every case';

/**
 * The shards of one set of clients must be exactly 1/N … N/N of one selection:
 * a shard missing would leave its cases out of a report that looks whole, and
 * one given twice would count its cases twice. Files without a shard (whole
 * runs, say of other clients) merge as they are.
 */
export function checkShards(shards: Shard[]): void {
  const groups = new Map<string, Shard[]>();
  for (const s of shards) {
    const clients = (s.clients?.map((c) => c.label) ?? [...new Set(s.results.map((r) => r.client))]).join('\u0000');
    groups.set(clients, [...(groups.get(clients) ?? []), s]);
  }
  for (const group of groups.values()) {
    const sharded = group.filter((s) => s.selection?.shard);
    if (!sharded.length) continue;
    const whole = group.find((s) => !s.selection?.shard);
    if (whole)
      throw new UsageError(
        'BAD_FLAG',
        `merge: ${whole.file} is a whole run but ${sharded[0]!.file} is a shard of the same client(s); merge the shards of one run`,
      );
    const total = sharded[0]!.selection!.shard!.total;
    const other = sharded.find((s) => s.selection!.shard!.total !== total);
    if (other)
      throw new UsageError(
        'BAD_FLAG',
        `merge: ${sharded[0]!.file} is a shard of ${total} but ${other.file} of ${other.selection!.shard!.total}`,
      );
    const differs = sharded.find((s) => selectionText(s.selection) !== selectionText(sharded[0]!.selection));
    if (differs)
      throw new UsageError(
        'BAD_FLAG',
        `merge: the shards selected different cases (${sharded[0]!.file}: ${selectionText(sharded[0]!.selection)}; ${differs.file}: ${selectionText(differs.selection)})`,
      );
    const byIndex = new Map<number, string[]>();
    for (const s of sharded)
      byIndex.set(s.selection!.shard!.index, [...(byIndex.get(s.selection!.shard!.index) ?? []), s.file]);
    const twice = [...byIndex]
      .filter(([, files]) => files.length > 1)
      .map(([i, files]) => `shard ${i}/${total} given twice (${files.join(', ')})`);
    const missing = Array.from({ length: total }, (_, i) => i + 1)
      .filter((i) => !byIndex.has(i))
      .map((i) => `${i}/${total}`);
    const problems = [
      ...twice,
      ...(missing.length ? [`shard${missing.length > 1 ? 's' : ''} ${missing.join(', ')} missing`] : []),
    ];
    if (problems.length) throw new UsageError('BAD_FLAG', `merge: ${problems.join('; ')}`);
  }
}

export interface MergeOptions {
  /** `--strict` given to merge: should failures fail the merged run even if the shards ran without it. */
  strict?: boolean;
}

/**
 * Replays shard results into reporters as one run: results in catalogue order
 * (as an unsharded run lists them), per client in the order first seen, and
 * one summary recomputed from them.
 */
export async function mergeResults(
  files: string[],
  catalogue: Case[],
  reporters: Reporter[],
  opts: MergeOptions = {},
): Promise<Summary> {
  if (!files.length) throw new UsageError('BAD_FLAG', 'merge: give the results files of the shards');
  const shards = await Promise.all(files.map(readResults));
  checkShards(shards);
  const order = new Map(catalogue.map((c, i) => [c.id, i]));
  const all = shards.flatMap((s) => s.results);
  const clients = [...new Set(all.map((r) => r.client))];
  const seen = new Set<string>();
  for (const r of all) {
    const key = `${r.client}\u0000${r.id}`;
    if (seen.has(key))
      throw new UsageError('BAD_FLAG', `merge: case ${r.id} for ${r.client} appears in more than one results file`);
    seen.add(key);
  }
  const rank = (r: CaseResult): number => order.get(r.id) ?? Number.MAX_SAFE_INTEGER;
  const results = [...all].sort(
    (a, b) => clients.indexOf(a.client) - clients.indexOf(b.client) || rank(a) - rank(b) || a.id.localeCompare(b.id),
  );
  const strict = Boolean(opts.strict) || shards.some((s) => s.strict);
  const summary = summarize(results, Math.max(...shards.map((s) => s.summary.durationMs)), strict);
  const mux = new ReporterMux(reporters);
  const ids = new Set(results.map((r) => r.id));
  const starts = shards.map((s) => Date.parse(s.startedAt ?? '')).filter((t) => !Number.isNaN(t));
  const known = new Map(shards.flatMap((s) => s.clients ?? []).map((c) => [c.label, c]));
  const selection = shards[0]?.selection;
  await mux.onBegin({
    cases: catalogue.filter((c) => ids.has(c.id)),
    clients,
    clientInfo: clients.map((label) => known.get(label) ?? { label }),
    mergedFiles: files.length,
    strict,
    startedAt: starts.length ? new Date(Math.min(...starts)) : new Date(),
    ...(selection
      ? {
          selection: {
            ...(selection.protocols ? { protocols: selection.protocols } : {}),
            ...(selection.grep !== undefined ? { grep: selection.grep } : {}),
          },
        }
      : {}),
  });
  for (const r of results) await mux.onCaseEnd(r);
  await mux.onEnd(results, summary);
  return mux.faults.length ? { ...summary, exitCode: 2 } : summary;
}
