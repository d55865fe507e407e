/**
 * Issue #14: Conform installs into a user's own project and runs from there.
 * The package is packed as `npm publish` would (prepack builds it), installed
 * into a fresh project whose node_modules is then made read-only, and used as
 * a user does: `npx conform --version`, a run against the reference client
 * driven by a conform.config.ts, and a type-check of that config, which
 * imports `defineConfig` and the module-client types from the package.
 *
 * The same project then runs the CI examples of docs/ci as they are written:
 * each job's steps as a shell script in a workspace of its own, artifacts
 * carried between jobs as the CI system would, shards then merge.
 */
import { execFile } from 'node:child_process';
import { cp, mkdir, mkdtemp, readdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const run = promisify(execFile);
const repo = new URL('..', import.meta.url).pathname;
let project: string;
let cache: string;
const version = (JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { version: string }).version;

/** Every file under a folder, relative to it. */
async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

async function setMode(dir: string, writable: boolean): Promise<void> {
  await run('chmod', ['-R', writable ? 'u+w' : 'a-w', dir]);
}

beforeAll(async () => {
  const work = await mkdtemp(join(tmpdir(), 'conform-package-'));
  project = join(work, 'project');
  cache = join(work, 'cache');
  // The RSA keys a machine makes once (certs/keys.ts; 4096 and 8192 bits take seconds, at random) are the
  // checkout's, copied into the user cache as a user's first run would have left them: this test is about
  // the package and the CI plumbing, and the cold start is the bench's figure.
  await cp(join(repo, 'certs/generated/keys'), join(cache, 'conform-harness', 'keys'), { recursive: true });
  const { stdout } = await run('npm', ['pack', '--silent', '--pack-destination', work], {
    cwd: repo,
    maxBuffer: 1 << 24,
  });
  const tarball = join(work, stdout.trim().split('\n').pop()!);
  await run('mkdir', ['-p', project]);
  await writeFile(join(project, 'package.json'), JSON.stringify({ name: 'my-client', private: true, type: 'module' }));
  // @types/node: what any TypeScript project for Node has; the package's declarations use Node's types.
  await run('npm', ['install', '--no-audit', '--no-fund', '--prefer-offline', tarball, '@types/node@20'], {
    cwd: project,
    maxBuffer: 1 << 24,
  });
  await writeFile(
    join(project, 'conform.config.ts'),
    [
      "import { defineConfig, type Job, type ModuleClient, type ResultsFile } from 'conform-harness';",
      '',
      'export const client: ModuleClient = { run: async (job: Job) => (job.protocol === "https" ? 0 : 89) };',
      "export type Summary = ResultsFile['summary'];",
      "export default defineConfig({ grep: '^https\\\\.integrity\\\\.', workers: 2 });",
      '',
    ].join('\n'),
  );
  await writeFile(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        types: ['node'],
      },
      include: ['conform.config.ts', 'bad.ts'],
    }),
  );
  // A wrong key, so the type-check is seen to be real.
  await writeFile(
    join(project, 'bad.ts'),
    "import { defineConfig } from 'conform-harness';\nexport default defineConfig({ wokers: 2 });\n",
  );
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
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/conform.js',
        'dist/harness/cli.js',
        'dist/harness/index.js',
        'dist/types/harness/index.d.ts',
        'docs/contract.md',
        'suites/https.schema.json',
      ]),
    );
    expect(
      files.filter(
        (f) =>
          /^(tests|\.ci|harness|servers)\//.test(f) ||
          f.endsWith('.test.js') ||
          (f.endsWith('.ts') && !f.endsWith('.d.ts')),
      ),
    ).toEqual([]);
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
    const result = await run(tsc, ['-p', project], { cwd: project }).then(
      () => ({ stdout: '' }),
      (e: { stdout: string }) => e,
    );
    // The one error is the misspelt key of bad.ts: conform.config.ts and the package's declarations check clean.
    expect(result.stdout.trim().split('\n')).toEqual([
      expect.stringMatching(/^bad\.ts\(2,\d+\): error TS\d+: .*wokers/),
    ]);
  }, 60_000);
});

/** The reference client, as a user's project reaches it: a program run from the repository's root. */
/**
 * The client the CI examples run: `false`, which fails every case at once. What is under test here is
 * the plumbing (shards, artifacts, the merge and its exit codes); a Node start per case would double the
 * time, and the reference's passing run from the package is the test above.
 */
const CLIENT_CMD = 'false';

interface Job {
  name: string;
  /** Shell lines, in order; `uses:` steps are done by the runner below. */
  steps: Array<{ run: string } | { uses: string; with?: Record<string, unknown> }>;
  /** Environment per instance of the job (one per shard). */
  instances: Array<Record<string, string>>;
}

/** GitHub Actions: env, a shard matrix, `run:` and the few `uses:` actions the example needs. */
function githubJobs(doc: {
  env: Record<string, string>;
  jobs: Record<string, { strategy?: { matrix: { shard: number[] } }; steps: Array<Record<string, unknown>> }>;
}): Job[] {
  return Object.entries(doc.jobs).map(([name, job]) => ({
    name,
    steps: job.steps.map((st) =>
      'run' in st
        ? { run: String(st.run) }
        : { uses: String(st.uses), ...(st.with ? { with: st.with as Record<string, unknown> } : {}) },
    ),
    instances: (job.strategy?.matrix.shard ?? [0]).map((shard) => ({ MATRIX_SHARD: String(shard) })),
  }));
}

/** GitLab CI: variables, `parallel:` instances with CI_NODE_INDEX/TOTAL, `script:` lines, artifacts passed on to `needs:`. */
function gitlabJobs(
  doc: Record<string, { parallel?: number; script?: string[]; artifacts?: { paths: string[] } }>,
): Job[] {
  return Object.entries(doc)
    .filter(([, j]) => j.script)
    .map(([name, job]) => ({
      name,
      steps: [
        ...job.script!.map((run) => ({ run })),
        ...(job.artifacts ? [{ uses: 'gitlab/artifacts', with: { path: job.artifacts.paths[0] } }] : []),
      ],
      instances: job.parallel
        ? Array.from({ length: job.parallel }, (_, i) => ({
            CI_NODE_INDEX: String(i + 1),
            CI_NODE_TOTAL: String(job.parallel),
          }))
        : [{}],
    }));
}

/**
 * Runs the jobs in order, each instance in a fresh workspace (the project's
 * files, its node_modules linked), `npm ci` standing for the install done
 * above. Artifacts: GitHub's upload/download, GitLab's paths (every earlier
 * job's reach the later ones, as `needs:` gives them). Returns each step's exit status.
 */
async function runJobs(
  jobs: Job[],
  env: Record<string, string>,
  root: string,
): Promise<Array<{ job: string; instance: number; run: string; code: number }>> {
  const store = join(root, 'artifacts');
  const statuses: Array<{ job: string; instance: number; run: string; code: number }> = [];
  for (const [j, job] of jobs.entries()) {
    // A job's instances (the shards) run side by side, as on the CI systems.
    await Promise.all(
      job.instances.map(async (instance, i) => {
        const ws = join(root, `ws-${j}-${i}`);
        await mkdir(ws, { recursive: true });
        for (const f of ['package.json', 'package-lock.json']) await cp(join(project, f), join(ws, f));
        await symlink(join(project, 'node_modules'), join(ws, 'node_modules'));
        for (const step of job.steps) {
          if ('uses' in step) {
            const w = step.with ?? {};
            if (step.uses.startsWith('actions/upload-artifact'))
              await cp(
                join(ws, String(w.path)),
                join(store, String(w.name).replace('${{ matrix.shard }}', instance.MATRIX_SHARD!)),
                { recursive: true, force: true },
              );
            else if (step.uses.startsWith('actions/download-artifact')) {
              const pattern = new RegExp(`^${String(w.pattern).replace('*', '.*')}$`);
              for (const name of (await readdir(store).catch(() => [])).filter((n) => pattern.test(n)))
                await cp(join(store, name), join(ws, String(w.path)), { recursive: true, force: true });
            } else if (step.uses === 'gitlab/artifacts')
              await cp(join(ws, String(w.path)), join(store, 'gitlab', String(w.path)), {
                recursive: true,
                force: true,
              }).catch(() => undefined);
            continue;
          }
          if (step.run.trim() === 'npm ci') continue;
          // GitLab hands the artifacts of the jobs a job needs to it before its script.
          if (job.steps.some((st) => 'uses' in st && st.uses === 'gitlab/artifacts'))
            await cp(join(store, 'gitlab'), ws, { recursive: true, force: true }).catch(() => undefined);
          const script = step.run.replaceAll('${{ matrix.shard }}', instance.MATRIX_SHARD ?? '');
          const code = await run('bash', ['-e', '-c', script], {
            cwd: ws,
            env: { ...process.env, ...env, ...instance, XDG_CACHE_HOME: cache, FORCE_COLOR: '0' },
            maxBuffer: 1 << 26,
          }).then(
            () => 0,
            (e: { code: number }) => e.code,
          );
          statuses.push({ job: job.name, instance: i, run: script, code });
          // A failed step ends its job, as on the CI systems.
          if (code !== 0) break;
        }
      }),
    );
  }
  return statuses;
}

describe('the CI examples of docs/ci, run as written in a user project', () => {
  const examples = [
    { file: 'github-actions.yml', jobs: (doc: unknown) => githubJobs(doc as never) },
    { file: 'gitlab-ci.yml', jobs: (doc: unknown) => gitlabJobs(doc as never) },
  ];

  it.each(examples)(
    '$file: the shards run, the merge reports every https case once, and exit 2 is never swallowed',
    async ({ file, jobs }) => {
      const doc = parse(await readFile(join(repo, 'docs/ci', file), 'utf8')) as Record<string, unknown>;
      const root = await mkdtemp(join(project, '..', 'ci-'));
      const statuses = await runJobs(jobs(doc), { CLIENT_CMD, PROTOCOLS: 'https' }, root);
      expect(statuses.length).toBeGreaterThanOrEqual(5);
      // Every shard step lets exit 1 (failed cases) through to the merge, which reports them: exit 1.
      const merged = statuses[statuses.length - 1]!;
      expect(merged).toMatchObject({ run: expect.stringMatching(/conform merge/), code: 1 });
      expect(statuses.slice(0, -1).filter((s) => s.code !== 0)).toEqual([]);
      const ws = join(
        root,
        (await readdir(root))
          .filter((n) => n.startsWith('ws-'))
          .sort()
          .pop()!,
      );
      const results = JSON.parse(await readFile(join(ws, 'reports/results.json'), 'utf8')) as {
        results: Array<{ id: string; status: string; level: string }>;
      };
      const ids = results.results.map((r) => r.id);
      expect(new Set(ids).size).toBe(ids.length);
      // `false` reaches nothing: no judged case passes (an info case only records).
      expect(results.results.filter((r) => r.status === 'pass' && r.level !== 'info').map((r) => r.id)).toEqual([]);
      expect(ids.length).toBeGreaterThan(50);
      expect(ids.every((id) => id.startsWith('https.'))).toBe(true);
      expect(await readFile(join(ws, 'reports/junit.xml'), 'utf8')).toContain('<testsuites');
      // A shard lost on the way: the merge says so (exit 2) instead of reporting a partial run as whole.
      const partial = await mkdtemp(join(project, '..', 'ci-partial-'));
      await cp(join(root, 'artifacts'), join(partial, 'artifacts'), { recursive: true });
      await rm(
        join(partial, 'artifacts', file.startsWith('github') ? 'conform-shard-2' : 'gitlab/reports/shard-2.json'),
        { recursive: true },
      );
      const merge = jobs(doc).pop()!;
      const lost = await runJobs([merge], { CLIENT_CMD, PROTOCOLS: 'https' }, partial);
      expect(lost[lost.length - 1]).toMatchObject({ run: expect.stringMatching(/conform merge/), code: 2 });
      // A usage error in a shard (exit 2) fails its step: `|| [ $? -eq 1 ]` lets only exit 1 (a failed case) through.
      const [shard] = jobs(doc);
      const bad = await runJobs(
        [{ ...shard!, instances: [shard!.instances[0]!] }],
        { CLIENT_CMD, PROTOCOLS: 'gopher' },
        await mkdtemp(join(project, '..', 'ci-bad-')),
      );
      expect(bad[bad.length - 1]).toMatchObject({
        run: expect.stringMatching(/--protocol "\$PROTOCOLS"/),
        code: expect.any(Number),
      });
      expect(bad[bad.length - 1]!.code).not.toBe(0);
    },
    180_000,
  );
});
