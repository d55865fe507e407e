/** conform.config.{ts,json,yaml}: found in the working folder, validated, and overridden by flags. */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/harness/cli.js');

function conformIn(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) =>
    execFile(process.execPath, [CLI, ...args], { cwd }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    ),
  );
}

/** A folder inside the repository, so a TypeScript config's imports resolve as they would for a user. */
async function workFolder(): Promise<string> {
  await mkdir(join(ROOT, 'reports'), { recursive: true });
  return mkdtemp(join(ROOT, 'reports', 'config-test-'));
}

describe('config files', () => {
  it('a YAML config chooses clients, cases and the output folder', async () => {
    const dir = await workFolder();
    await writeFile(
      join(dir, 'conform.config.yaml'),
      "clients: ['reference --flaw skip-verify']\ngrep: '^https\\.certificate\\.expired$'\noutputDir: out\n",
    );
    const run = await conformIn(dir, []);
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/1 case\(s\) against reference --flaw skip-verify/);
    expect(await readFile(join(dir, 'out/junit.xml'), 'utf8')).toMatch(/https\.certificate\.expired/);
  });

  it('a TypeScript config with defineConfig is compiled and used; flags override it', async () => {
    const dir = await workFolder();
    const configModule = join(ROOT, 'harness/config.js');
    await writeFile(
      join(dir, 'conform.config.ts'),
      [
        `import { defineConfig } from '${configModule}';`,
        "export default defineConfig({ clients: ['reference --flaw skip-verify'], grep: '^https\\\\.certificate\\\\.(valid|expired)$', outputDir: 'ts-out', workers: 2 });",
        '',
      ].join('\n'),
    );
    const fromConfig = await conformIn(dir, []);
    expect(fromConfig.stdout).toMatch(/2 case\(s\) against reference --flaw skip-verify, 2 worker\(s\)/);
    const overridden = await conformIn(dir, ['--client', 'reference', '--workers', '1']);
    expect(overridden.stdout).toMatch(/2 case\(s\) against reference, 1 worker\(s\)/);
    expect(overridden.code).toBe(0);
  });

  it('a bad key is a usage error naming the file and the key', async () => {
    const dir = await workFolder();
    await writeFile(join(dir, 'conform.config.json'), JSON.stringify({ workers: 0 }));
    const run = await conformIn(dir, []);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/config file .*conform\.config\.json: key workers: /);
    await writeFile(join(dir, 'other.json'), JSON.stringify({ wrokers: 2 }));
    const typo = await conformIn(dir, ['--config', 'other.json']);
    expect(typo.code).toBe(2);
    expect(typo.stderr).toMatch(/other\.json: key \(top level\): Unrecognized key: "wrokers"/);
  });
});
