/**
 * Issue #14: Conform installs into a user's own project and runs from there.
 * The package is packed as `npm publish` would (prepack builds it), installed
 * into a fresh project whose node_modules is then made read-only, and used as
 * a user does: `npx conform --version`, a run against the reference client
 * driven by a conform.config.ts, and a type-check of that config, which
 * imports `defineConfig` and the module-client types from the package.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = new URL('..', import.meta.url).pathname;
let project: string;
let cache: string;
const version = (JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

/** Every file under a folder, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.filter((e) => e.isFile()).map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

async function setMode(dir: string, writable: boolean): Promise<void> {
  await run('chmod', ['-R', writable ? 'u+w' : 'a-w', dir]);
}

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'conform-package-'));
  project = join(work, 'project');
  cache = join(work, 'cache');
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], { cwd: repo, maxBuffer: 1 << 24 });
  const tarball = join(work, stdout.trim().split('\n').pop()!);
  await run('mkdir', ['-p', project]);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'my-client', private: true, type: 'module' }));
  // @types/node: what any TypeScript project for Node has; the package's declarations use Node's types.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, '@types/node@20'], { cwd: project, maxBuffer: 1 << 24 });
  await writeFile(join(project, 'conform.config.ts'), [
    "import { defineConfig, type Job, type ModuleClient, type ResultsFile } from 'conform-harness';",
    '',
    'export const client: ModuleClient = { run: async (job: Job) => (job.protocol === "https" ? 0 : 89) };',
    "export type Summary = ResultsFile['summary'];",
    "export default defineConfig({ grep: '^https\\\\.integrity\\\\.', workers: 2 });",
    '',
  ].join('\n'));
  await writeFile(join(project, 'tsconfig.json'), JSON.stringify({
    compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: false, types: ['node'] },
    include: ['conform.config.ts', 'bad.ts'],
  }));
  // A wrong key, so the type-check is seen to be real.
  await writeFile(join(project, 'bad.ts'), "import { defineConfig } from 'conform-harness';\nexport default defineConfig({ wokers: 2 });\n");
  await setMode(join(project, 'node_modules'), false);
}, 180_000);

afterAll(async () => {
  if (!project) return;
  await setMode(join(project, 'node_modules'), true);
  await rm(join(project, '..'), { recursive: true, force: true });
});

describe('the packed package, installed in a user project with a read-only node_modules', () => {
  const env = () => ({ ...process.env, XDG_CACHE_HOME: cache, CONFORM_CACHE_DIR: '', FORCE_COLOR: '0' });

  it('ships the CLI built, the suites and the contract, and no tests or CI scripts', async () => {
    const files = await filesUnder(join(project, 'node_modules', 'conform-harness'));
    expect(files).toEqual(expect.arrayContaining(['bin/conform.js', 'dist/harness/cli.js', 'dist/harness/index.js', 'dist/types/harness/index.d.ts', 'docs/contract.md', 'suites/https.schema.json']));
    expect(files.filter((f) => /^(tests|\.ci|harness|servers)\//.test(f) || f.endsWith('.test.js') || f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
  });

  it('npx conform --version prints the version', async () => {
    const { stdout } = await run('npx', ['--no-install', 'conform', '--version'], { cwd: project, env: env() });
    expect(stdout.trim()).toBe(version);
  });

  it('runs the cases its conform.config.ts selects, writing reports to the project and certificates to the user cache', async () => {
    const before = await filesUnder(join(project, 'node_modules'));
    const { stdout } = await run('npx', ['--no-install', 'conform'], { cwd: project, env: env(), maxBuffer: 1 << 24 });
    expect(stdout).toMatch(/\d+ passed, 0 failed/);
    expect(Number(/(\d+) passed/.exec(stdout)![1])).toBeGreaterThan(3);
    expect(await readFile(join(project, 'reports', 'junit.xml'), 'utf8')).toContain('<testsuites');
    expect((await filesUnder(join(cache, 'conform-harness', 'certs'))).some((f) => f.endsWith('.pem'))).toBe(true);
    // Nothing was written inside node_modules (it is read-only: a write would have failed the run).
    expect(await filesUnder(join(project, 'node_modules'))).toEqual(before);
  }, 120_000);

  it('type-checks a conform.config.ts that imports defineConfig and the module-client types', async () => {
    const tsc = join(repo, 'node_modules', '.bin', 'tsc');
    const result = await run(tsc, ['-p', project], { cwd: project }).then(() => ({ stdout: '' }), (e: { stdout: string }) => e);
    // The one error is the misspelt key of bad.ts: conform.config.ts and the package's declarations check clean.
    expect(result.stdout.trim().split('\n')).toEqual([expect.stringMatching(/^bad\.ts\(2,\d+\): error TS\d+: .*wokers/)]);
  }, 60_000);
});
