import { existsSync } from 'node:fs';
import { readFile, rm } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { parse } from 'yaml';
import { z } from 'zod';
import { UsageError } from './errors.js';
import { PROTOCOL_NAMES } from './protocols.js';

const ClientEntry = z.union([
  z.string().min(1),
  z.object({ profile: z.string().min(1) }).strict(),
  z.object({ cmd: z.string().min(1) }).strict(),
  z.object({ module: z.string().min(1) }).strict(),
]);

/** The user's configuration: every key optional; flags given on the command line win. */
export const UserConfigSchema = z
  .object({
    /** Clients under test: a profile name ("curl"), or { profile | cmd | module }. Default: the reference client. */
    clients: z.array(ClientEntry).min(1).optional(),
    /** Folder of suites to run instead of the built-in ones. */
    suites: z.string().optional(),
    /** Only these protocols. */
    protocols: z.array(z.enum(PROTOCOL_NAMES)).optional(),
    /** Only cases whose id matches. */
    grep: z.string().optional(),
    /** Exactly this many cases at once. Default: the adaptive scheduler (harness/run/pool.ts). */
    workers: z.number().int().min(1).max(256).optional(),
    /** Console reporters. Default ["console"]. */
    reporters: z.array(z.enum(['console', 'tap'])).optional(),
    /** Folder for junit.xml, results.json, index.html and cases/. Default "reports". */
    outputDir: z.string().optional(),
    /** Which cases keep transcript, events, key log and packet capture: failed (default), all, none. */
    artifacts: z.enum(['failed', 'all', 'none']).optional(),
    /** Known-results files or directories (a client's known failures, each with its reason), each bound to the client it describes. */
    knownResults: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** The older name of `knownResults`, still read. */
    expect: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** `should` failures fail the run. Default false. */
    strict: z.boolean().optional(),
    /** Address the servers listen on. Default 127.0.0.1. */
    bind: z.string().optional(),
    /** Multiplies every case's CONFORM_TIMEOUT_MS (for slow machines). Default 1. */
    timeoutScale: z.number().min(0.1).max(20).optional(),
    /** Extra time past CONFORM_TIMEOUT_MS before a client is killed as hung, in ms. Default 1000. */
    graceMs: z.number().int().min(0).max(60_000).optional(),
  })
  .strict();

export type UserConfig = z.infer<typeof UserConfigSchema>;

/** Typed identity, for `conform.config.ts`: `export default defineConfig({ … })`. */
export function defineConfig(config: UserConfig): UserConfig {
  return config;
}

/** Looked for in the working directory, in this order, when --config is not given. */
export const CONFIG_NAMES = [
  'conform.config.ts',
  'conform.config.mjs',
  'conform.config.js',
  'conform.config.json',
  'conform.config.yaml',
  'conform.config.yml',
];

export function findConfig(cwd = process.cwd()): string | undefined {
  return CONFIG_NAMES.map((n) => join(cwd, n)).find((f) => existsSync(f));
}

/** Compiles a TypeScript config next to itself (so its relative imports resolve), imports it, removes the output. */
async function importTs(file: string): Promise<unknown> {
  const { build } = await import('esbuild');
  const out = join(dirname(file), `.${basename(file)}.${process.pid}.mjs`);
  try {
    await build({
      entryPoints: [file],
      outfile: out,
      bundle: true,
      packages: 'external',
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
    });
    return ((await import(pathToFileURL(out).href)) as { default?: unknown }).default;
  } finally {
    await rm(out, { force: true });
  }
}

async function readRaw(file: string): Promise<unknown> {
  if (file.endsWith('.json')) return JSON.parse(await readFile(file, 'utf8'));
  if (/\.ya?ml$/.test(file)) return parse(await readFile(file, 'utf8'));
  if (file.endsWith('.ts')) return importTs(file);
  return ((await import(pathToFileURL(file).href)) as { default?: unknown }).default;
}

/** Loads and validates a config file; a problem names the file and the key. */
export async function loadConfig(path: string): Promise<UserConfig> {
  const file = resolve(path);
  if (!existsSync(file)) throw new UsageError('BAD_FLAG', `config file ${path} does not exist`);
  let raw: unknown;
  try {
    raw = await readRaw(file);
  } catch (err) {
    throw new UsageError('BAD_FLAG', `config file ${path}: ${(err as Error).message.split('\n')[0]}`);
  }
  const parsed = UserConfigSchema.safeParse(raw ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = issue.path.join('.') || '(top level)';
    throw new UsageError('BAD_FLAG', `config file ${path}: key ${key}: ${issue.message}`);
  }
  return parsed.data;
}
