import { readdir, readFile, stat } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { parse } from 'yaml';
import { z } from 'zod';
import { UsageError } from './errors.js';

/**
 * A client's known results (as BoringSSL's per-shim expectation lists): the
 * cases it is expected to fail or skip, each with the reason found by
 * investigating it. Everything not listed is expected to pass.
 */
export const KnownResultsFileSchema = z
  .object({
    /** Which client and version the file was measured with. */
    client: z.string().min(1),
    /**
     * The client of a run the file belongs to: a profile name (`curl`) or a
     * client's label. Default: the file name up to its first dot
     * (`curl.socks5.yaml` belongs to `curl`).
     */
    profile: z.string().min(1).optional(),
    fail: z.record(z.string(), z.string().min(1, 'every expected failure needs its reason')).default({}),
    skip: z.record(z.string(), z.string().min(1, 'every expected skip needs its reason')).default({}),
  })
  .strict();

export type KnownResults = z.infer<typeof KnownResultsFileSchema>;

export async function loadKnownResults(file: string): Promise<KnownResults> {
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new UsageError('BAD_FLAG', `cannot read known-results file ${file}: ${err.message}`);
  });
  const parsed = KnownResultsFileSchema.safeParse(parse(text));
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UsageError('BAD_FLAG', `${file}: field ${issue.path.join('.')}: ${issue.message}`);
  }
  return parsed.data;
}

/** What the file expects of a case: `fail`, `skip`, or `pass` when it is not listed. */
export function knownVerdict(exp: KnownResults, id: string): { verdict: 'pass' | 'fail' | 'skip'; reason?: string } {
  if (exp.fail[id]) return { verdict: 'fail', reason: exp.fail[id] };
  if (exp.skip[id]) return { verdict: 'skip', reason: exp.skip[id] };
  return { verdict: 'pass' };
}

/** The expectations of each client a run may have, by profile (or label), merged from every file given. */
export interface KnownResultsSet {
  byProfile: Map<string, { expectations: KnownResults; files: string[]; named: boolean }>;
}

/**
 * Reads `--known-results` values: files, or directories of them (every `*.yaml`).
 * The files of one profile are merged (`curl.yaml` and `curl.socks5.yaml`);
 * a case listed twice for one profile is an error.
 */
export async function loadKnownResultsSet(paths: readonly string[]): Promise<KnownResultsSet> {
  const byProfile: KnownResultsSet['byProfile'] = new Map();
  for (const path of paths) {
    const info = await stat(path).catch(() => undefined);
    if (!info) throw new UsageError('BAD_FLAG', `cannot read known-results file ${path}: it does not exist`);
    const files = info.isDirectory()
      ? (await readdir(path))
          .filter((n) => /\.ya?ml$/.test(n))
          .sort()
          .map((n) => join(path, n))
      : [path];
    if (!files.length) throw new UsageError('BAD_FLAG', `expectation directory ${path} holds no .yaml file`);
    for (const file of files) {
      const exp = await loadKnownResults(file);
      const profile = exp.profile ?? basename(file).split('.')[0]!;
      const entry = byProfile.get(profile);
      if (!entry) {
        byProfile.set(profile, { expectations: exp, files: [file], named: !info.isDirectory() });
        continue;
      }
      for (const kind of ['fail', 'skip'] as const) {
        for (const [id, reason] of Object.entries(exp[kind])) {
          if (entry.expectations.fail[id] || entry.expectations.skip[id])
            throw new UsageError(
              'BAD_FLAG',
              `${file}: case ${id} is already listed for ${profile} in ${entry.files.join(', ')}`,
            );
          entry.expectations[kind][id] = reason;
        }
      }
      entry.files.push(file);
      entry.named ||= !info.isDirectory();
    }
  }
  return { byProfile };
}

/**
 * Binds expectations to the clients of a run: by label (`reference --flaw x`),
 * else by profile name (the label's first word). One client and one profile
 * of expectations go together whatever their names (your own client with its
 * own file). A file named on the command line that fits no client is an error:
 * a typo would otherwise silently fail the run.
 */
export function bindKnownResults(set: KnownResultsSet, labels: readonly string[]): Map<string, KnownResults> {
  const bound = new Map<string, KnownResults>();
  const used = new Set<string>();
  for (const label of labels) {
    const key = set.byProfile.has(label) ? label : label.split(' ')[0]!;
    const entry = set.byProfile.get(key);
    if (entry) {
      bound.set(label, entry.expectations);
      used.add(key);
    }
  }
  if (labels.length === 1 && set.byProfile.size === 1 && !bound.size) {
    const [key, entry] = [...set.byProfile][0]!;
    bound.set(labels[0]!, entry.expectations);
    used.add(key);
  }
  const stray = [...set.byProfile].filter(([key, e]) => e.named && !used.has(key));
  if (stray.length) {
    const [key, e] = stray[0]!;
    throw new UsageError(
      'BAD_FLAG',
      `expectations for "${key}" (${e.files.join(', ')}) fit no client of this run (${labels.join(', ')}); name the client in the file's profile: field`,
    );
  }
  return bound;
}
