/** The CLI as users and CI run it: exit statuses, reports, the client's environment, sharding. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, readdir, readFile, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExecutable } from '../harness/clients/which.js';

const CLI = join(import.meta.dirname, '../dist/harness/cli.js');
const XSD = join(import.meta.dirname, 'fixtures/junit-10.xsd');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function conform(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...env }, maxBuffer: 32 << 20 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

async function reportPaths(): Promise<{ dir: string; flags: string[]; junit: string; json: string }> {
  const dir = await mkdtemp(join(tmpdir(), 'conform-cli-'));
  const junit = join(dir, 'junit.xml');
  const json = join(dir, 'results.json');
  return { dir, flags: ['--junit', junit, '--json', json], junit, json };
}

function xmllint(file: string): Promise<Run> {
  return new Promise((resolve) => {
    execFile('xmllint', ['--noout', '--schema', XSD, file], (err, stdout, stderr) =>
      resolve({ code: err ? 1 : 0, stdout, stderr }),
    );
  });
}

describe.concurrent('conform CLI', () => {
  it('exits 0 when every selected case passes, and writes JUnit and JSON', async () => {
    const p = await reportPaths();
    const run = await conform(['--grep', '^https\\.certificate\\.(valid|expired)$', ...p.flags]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/2 passed, 0 failed/);
    const xml = await readFile(p.junit, 'utf8');
    expect(xml).toMatch(/<testcase classname="https" name="https\.certificate\.expired"/);
    const json = JSON.parse(await readFile(p.json, 'utf8'));
    expect(json.summary).toMatchObject({ total: 2, passed: 2, exitCode: 0 });
  });

  it('exits 1 when a case fails, with the reason, transcript and a repro line in JUnit', async () => {
    const p = await reportPaths();
    const artifacts = join(p.dir, 'cases');
    const run = await conform([
      '--client',
      'reference --flaw skip-verify',
      '--grep',
      '^https\\.certificate\\.expired$',
      '--artifacts-dir',
      artifacts,
      ...p.flags,
    ]);
    expect(run.code).toBe(1);
    // The failed case keeps its evidence, including an NSS key log for the TLS session.
    const keylog = await readFile(join(artifacts, 'https.certificate.expired/keylog.txt'), 'utf8');
    expect(keylog).toMatch(/^CLIENT_HANDSHAKE_TRAFFIC_SECRET [0-9a-f]{64} [0-9a-f]+$/m);
    expect(await readFile(join(artifacts, 'https.certificate.expired/transcript.txt'), 'utf8')).toMatch(
      /C→S \[tls\] GET \/conform\/body\.bin HTTP\/1\.1/,
    );
    expect(run.stdout).toMatch(/rerun: npm run conform -- --grep/);
    const xml = await readFile(p.junit, 'utf8');
    expect(xml).toMatch(/<failure message="\[must\] the client reported success/);
    expect(xml).toMatch(/never records command/);
    expect(xml).toMatch(/tls-established/);
  });

  it.skipIf(!findExecutable('xmllint'))(
    'writes JUnit that validates against the CI schema, even with a hostile client',
    async () => {
      const p = await reportPaths();
      const hostile = `${process.execPath} ${join(import.meta.dirname, 'fixtures/hostile-client.mjs')}`;
      const run = await conform([
        '--client-cmd',
        hostile,
        '--grep',
        '^https\\.(certificate\\.valid|plaintext\\.client-speaks-tls)$',
        ...p.flags,
      ]);
      expect(run.code).toBe(1);
      const xml = await readFile(p.junit, 'utf8');
      // In attributes markup is escaped; in bodies it sits inside CDATA, split around any "]]>".
      expect(xml).toMatch(/message="[^"]*&lt;script>/);
      expect(xml).not.toMatch(/message="[^"]*<script/);
      expect(xml).toContain('<![CDATA[');
      expect(xml).toContain(']]\\x3e');
      const lint = await xmllint(p.junit);
      expect(lint.stderr).toMatch(/validates/);
      expect(lint.code).toBe(0);
    },
  );

  it('gives a client every CONTRACT variable, the same in CONFORM_JOB, and 89 skips the case', async () => {
    const p = await reportPaths();
    const dump = join(p.dir, 'env.json');
    const cmd = `${process.execPath} ${join(import.meta.dirname, 'fixtures/env-client.mjs')} "two words" 'it''s'`;
    const run = await conform(['--client-cmd', cmd, '--grep', '^https\\.hostname\\.wildcard$', ...p.flags], {
      CONFORM_ENV_DUMP: dump,
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/1 skipped/);
    // The reason rides on <skipped message>, where CI viewers show it.
    expect(await readFile(p.junit, 'utf8')).toMatch(/<skipped message="the client answered 89: unsupported"\/>/);
    const { env, job, argv } = JSON.parse(await readFile(dump, 'utf8'));
    const names = [
      'CONFORM_CASE',
      'CONFORM_PROTOCOL',
      'CONFORM_ACTION',
      'CONFORM_URL',
      'CONFORM_HOST',
      'CONFORM_PORT',
      'CONFORM_ADDR',
      'CONFORM_TLS',
      'CONFORM_REQUIRE_TLS',
      'CONFORM_CA_FILE',
      'CONFORM_USER',
      'CONFORM_PASS',
      'CONFORM_CLIENT_CERT',
      'CONFORM_CLIENT_KEY',
      'CONFORM_FTP_MODE',
      'CONFORM_FTP_TYPE',
      'CONFORM_FTP_PROT',
      'CONFORM_FTP_CCC',
      'CONFORM_MAIL_FROM',
      'CONFORM_MAIL_TO',
      'CONFORM_INPUT_FILE',
      'CONFORM_OUTPUT_FILE',
      'CONFORM_PROXY_URL',
      'CONFORM_TIMEOUT_MS',
      'CONFORM_WORKDIR',
      'CONFORM_JOB',
    ];
    for (const name of names) expect(env).toHaveProperty(name);
    const { CONFORM_ENV_DUMP: _ignored, ...contractEnv } = env;
    expect(job).toEqual(contractEnv);
    expect(env).toMatchObject({
      CONFORM_CASE: 'https.hostname.wildcard',
      CONFORM_PROTOCOL: 'https',
      CONFORM_ACTION: 'get',
      CONFORM_HOST: 'www.conform.test',
      CONFORM_ADDR: '127.0.0.1',
      CONFORM_TLS: 'implicit',
      CONFORM_REQUIRE_TLS: '1',
      CONFORM_FTP_MODE: '',
    });
    expect(env.CONFORM_URL).toBe(`https://www.conform.test:${env.CONFORM_PORT}/conform/body.bin`);
    expect(argv).toEqual(['two words', 'its']);
  });

  it('reports a server that cannot start as a harness error (JUnit <error>, exit 2), never as a client failure', async () => {
    const p = await reportPaths();
    // 192.0.2.1 (TEST-NET-1) is not an address of this machine: the listen fails.
    const run = await conform(['--bind', '192.0.2.1', '--grep', '^https\\.certificate\\.valid$', ...p.flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/warning: servers will listen on 192\.0\.2\.1/);
    const xml = await readFile(p.junit, 'utf8');
    expect(xml).toMatch(/<error message="\[SERVER_START\] the https server could not start/);
    expect(xml).not.toMatch(/<failure/);
  });

  it('exits 2 and lists the profiles for an unknown client', async () => {
    const run = await conform(['--client', 'nonesuch']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown client "nonesuch"/);
    expect(run.stderr).toMatch(/reference\s+the strict reference client/);
    expect(run.stderr).toMatch(/curl/);
  });

  it('exits 2 for an unknown flaw, naming the known ones', async () => {
    const run = await conform(['--client', 'reference --flaw be-sloppy']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/unknown flaw "be-sloppy"; known flaws: skip-verify/);
  });

  it('exits 2 for a malformed suite file, naming file, line, case and field, and runs nothing', async () => {
    const p = await reportPaths();
    const suites = join(p.dir, 'suites');
    await mkdir(join(suites, 'https'), { recursive: true });
    await writeFile(
      join(suites, 'https/broken.yaml'),
      '- id: https.demo.x\n  title: x\n  level: must\n  refs: [RFC 1]\n  server: { minVersion: TLSv9 }\n  expect: [{ outcome: success }]\n',
    );
    const run = await conform(['--suites', suites, ...p.flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/broken\.yaml:5: case https\.demo\.x: field server\.minVersion: /);
    await expect(readFile(p.junit)).rejects.toThrow();
  });

  it('lists from the catalogue cache, and an edited or broken suite file is seen at once', async () => {
    const p = await reportPaths();
    const suites = join(p.dir, 'suites');
    const file = join(suites, 'https/demo.yaml');
    const env = { CONFORM_CACHE_DIR: join(p.dir, 'cache') };
    await mkdir(join(suites, 'https'), { recursive: true });
    const text =
      '- id: https.demo.x\n  title: first title\n  level: info\n  refs: [RFC 1]\n  expect: [{ outcome: success }]\n';
    await writeFile(file, text);
    expect((await conform(['list', '--suites', suites], env)).stdout).toMatch(/^https\.demo\.x\t\[info\]\tfirst title/);
    expect((await readdir(env.CONFORM_CACHE_DIR)).filter((n) => n.startsWith('catalogue-'))).toHaveLength(1);
    expect((await conform(['list', '--suites', suites], env)).stdout).toMatch(/first title/);
    await writeFile(file, text.replace('first title', 'second title'));
    expect((await conform(['list', '--suites', suites], env)).stdout).toMatch(
      /^https\.demo\.x\t\[info\]\tsecond title/,
    );
    await writeFile(file, text.replace('level: info', 'level: maybe'));
    for (let i = 0; i < 2; i++) {
      const run = await conform(['list', '--suites', suites], env);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/demo\.yaml:3: case https\.demo\.x: field level: /);
    }
    await writeFile(file, text);
    expect((await conform(['list', '--suites', suites], env)).stdout).toMatch(/first title/);
  });

  it('list with a cached catalogue loads no YAML parser, no zod and no server', async () => {
    // A module hook that names every module the CLI resolves, on stderr.
    const hook = `export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write('module ' + r.url + '\\n'); return r; }`;
    const register = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)});`;
    const env = { NODE_OPTIONS: `--import=data:text/javascript,${encodeURIComponent(register)}` };
    await conform(['list'], env); // fills the cache if this build has not yet
    const run = await conform(['list'], env);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/module file:.*\/dist\/harness\/suite\/catalogue\.js/);
    expect(run.stderr).not.toMatch(/node_modules\/(yaml|zod)\//);
    // certs/cache-dir.js (where caches live; node: modules only) is the one certs/ module it needs.
    expect(run.stderr).not.toMatch(
      /\/dist\/(servers\/(?!shared\/listen\.js)|harness\/protocols|certs\/(?!cache-dir\.js))/,
    );
  });

  it('splits the catalogue into disjoint, stable shards that cover it', async () => {
    const ids = (out: string) =>
      out
        .split('\n')
        .filter((l) => l.startsWith('https.'))
        .map((l) => l.split('\t')[0]);
    const all = ids((await conform(['list'])).stdout);
    const shards = await Promise.all(
      [1, 2, 3].map(async (i) => ids((await conform(['list', '--shard', `${i}/3`])).stdout)),
    );
    expect(shards.flat().sort()).toEqual([...all].sort());
    expect(new Set(shards.flat()).size).toBe(all.length);
    expect(shards.every((s) => s.length > 0)).toBe(true);
    expect(ids((await conform(['list', '--shard', '2/3'])).stdout)).toEqual(shards[1]);
    expect((await conform(['list', '--shard', '4/3'])).code).toBe(2);
  });
});

describe.concurrent('module clients and serve', () => {
  it('runs a module client in-process with the job as an object', async () => {
    const p = await reportPaths();
    const run = await conform([
      '--client-module',
      join(import.meta.dirname, 'fixtures/module-client.mjs'),
      '--grep',
      '^https\\.certificate\\.(valid|expired)$',
      ...p.flags,
    ]);
    expect(run.stdout).toMatch(/2 passed/);
    expect(run.code).toBe(0);
  });

  it('serve starts the case server, prints the exports, and streams what a client does', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [CLI, 'serve', 'https.certificate.expired', '--once']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => out.includes('# events') && (clearInterval(timer), resolve()), 20);
    });
    const port = Number(/export CONFORM_PORT=(\d+)/.exec(out)![1]);
    expect(out).toMatch(/export CONFORM_CA_FILE=\S+\.pem/);
    const { connect } = await import('node:tls');
    await new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port, servername: 'localhost', rejectUnauthorized: true, ca: [] });
      socket.on('error', () => resolve());
    });
    const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
    expect(code).toBe(0);
    expect(out).toMatch(/client-hello sni="localhost"/);
    expect(out).toMatch(/tls-failed/);
    // Its job's files lived for the session only.
    const workdir = /export CONFORM_WORKDIR=(\S+)/.exec(out)![1]!;
    expect(workdir).toMatch(/conform-serve-/);
    expect(existsSync(workdir)).toBe(false);
  });

  it('serve removes its temporary files when stopped with a signal', async () => {
    const { spawn } = await import('node:child_process');
    const child = spawn(process.execPath, [CLI, 'serve', 'https.certificate.valid']);
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    await new Promise<void>((resolve) => {
      const timer = setInterval(() => out.includes('# events') && (clearInterval(timer), resolve()), 20);
    });
    const workdir = /export CONFORM_WORKDIR=(\S+)/.exec(out)![1]!;
    expect(existsSync(join(workdir, 'job.json'))).toBe(true);
    child.kill('SIGTERM');
    expect(await new Promise<number | null>((resolve) => child.on('exit', resolve))).toBe(0);
    expect(existsSync(workdir)).toBe(false);
  });

  it('serve names near matches for an unknown case', async () => {
    const run = await conform(['serve', 'https.certificate.expird']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/no case "https\.certificate\.expird"; did you mean:/);
  });
});

describe.concurrent('clients that misbehave are contained and the run goes on', () => {
  it('a client that hangs is killed at its limit, reported hung, and the other cases still run', async () => {
    const p = await reportPaths();
    const hang = `${process.execPath} -e "setInterval(() => {}, 1000)"`;
    const started = Date.now();
    // The stall cases are should (no RFC requires a client timeout): --strict makes their failures fail the run.
    const run = await conform([
      '--client-cmd',
      hang,
      '--grep',
      '^https\\.robustness\\.stall-',
      '--reporter',
      'tap',
      '--strict',
      ...p.flags,
    ]);
    expect(run.code).toBe(1);
    // Three cases with a 1500 ms limit and 1 s of grace each, run in parallel.
    expect(Date.now() - started).toBeLessThan(8000);
    expect(run.stdout).toMatch(/^TAP version 14\n1\.\.3\n/);
    expect(run.stdout.match(/^not ok \d - https\.robustness\.stall-/gm)).toHaveLength(3);
    const { results } = JSON.parse(await readFile(p.json, 'utf8'));
    for (const r of results) {
      expect(r.outcome.hung).toBe(true);
      expect(r.reason).toMatch(/did not finish within its time limit/);
    }
  });
});

describe.concurrent('JUnit means what the exit status means', () => {
  // Both cases are should-level; the flaw corrupts what the client stores, so both fail.
  const shouldOnly = [
    '--client',
    'reference --flaw corrupt-output',
    '--grep',
    '^https\\.integrity\\.(binary|text)-body$',
    '--workers',
    '2',
  ];

  it.skipIf(!findExecutable('xmllint'))(
    'a should failure without --strict: exit 0, no <failure>, a property and a note; the JSON and console agree',
    async () => {
      const p = await reportPaths();
      const run = await conform([...shouldOnly, ...p.flags]);
      expect(run.code).toBe(0);
      const xml = await readFile(p.junit, 'utf8');
      expect(xml).not.toMatch(/<failure/);
      expect(xml).toMatch(/<testsuites [^>]*failures="0"/);
      expect(
        xml.match(/<property name="should-not-met" value="https\.integrity\.(binary|text)-body"\/>/g),
      ).toHaveLength(2);
      expect(xml).toMatch(/<system-out><!\[CDATA\[NOTE: should-level expectation not met; this does not fail the run/);
      expect(xml).toMatch(/<testsuite name="https" time="\d+(\.\d+)?" timestamp="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d"/);
      expect((await xmllint(p.junit)).code).toBe(0);
      const json = JSON.parse(await readFile(p.json, 'utf8'));
      expect(json.summary).toMatchObject({ failed: 0, failedShould: 2, strict: false, exitCode: 0 });
      expect(run.stdout).toMatch(/0 passed, 0 failed, 2 should not met \(not failing without --strict\)/);
      expect(run.stdout).not.toMatch(/^Failures:/m);
      expect(run.stdout).toMatch(
        /△ +\d\/2 https\.integrity\.binary-body \[should, not failing the run without --strict\]/,
      );
    },
  );

  it.skipIf(!findExecutable('xmllint'))('with --strict the same failures are <failure>s and exit 1', async () => {
    const p = await reportPaths();
    const run = await conform([...shouldOnly, '--strict', ...p.flags]);
    expect(run.code).toBe(1);
    const xml = await readFile(p.junit, 'utf8');
    expect(xml.match(/<failure message="\[should\] /g)).toHaveLength(2);
    expect(xml).not.toMatch(/should-not-met/);
    expect((await xmllint(p.junit)).code).toBe(0);
    expect(JSON.parse(await readFile(p.json, 'utf8')).summary).toMatchObject({
      failed: 2,
      failedShould: 2,
      strict: true,
      exitCode: 1,
    });
    expect(run.stdout).toMatch(/0 passed, 2 failed \(2 should\)/);
  });

  it('several clients: classname <client>.<protocol>, so no two test cases share classname and name', async () => {
    const p = await reportPaths();
    const run = await conform([
      '--client',
      'reference',
      '--client',
      'reference --flaw skip-verify',
      '--grep',
      '^https\\.certificate\\.expired$',
      ...p.flags,
    ]);
    expect(run.code).toBe(1);
    const xml = await readFile(p.junit, 'utf8');
    expect(xml).toMatch(/<testcase classname="reference\.https" name="https\.certificate\.expired"/);
    expect(xml).toMatch(
      /<testcase classname="reference --flaw skip-verify\.https" name="https\.certificate\.expired"[^>]*>\s*<failure/,
    );
    expect(xml).toMatch(/<property name="client-version" value="conform reference client /);
  });
});

describe.concurrent('usage errors: one clear line, exit 2', () => {
  it('an unknown flag prints one line and a hint, not the help', async () => {
    const run = await conform(['--foo']);
    expect(run.code).toBe(2);
    expect(run.stderr).toBe("conform: unknown option '--foo' (see conform --help)\n");
    expect(run.stdout).toBe('');
    const sub = await conform(['list', '--gerp', 'x']);
    expect(sub.code).toBe(2);
    expect(sub.stderr).toBe("conform: unknown option '--gerp'; did you mean --grep? (see conform list --help)\n");
  });

  it('a run that selects no case exits 2 and says why: a --grep that matches nothing, an empty --suites folder', async () => {
    const p = await reportPaths();
    const grep = await conform(['--grep', '^https\\.no-such\\.case$', ...p.flags]);
    expect(grep.code).toBe(2);
    expect(grep.stderr).toMatch(
      /^conform: no cases selected: --grep '\^https\\\.no-such\\\.case\$' matches none of the \d+ cases/,
    );
    const empty = join(p.dir, 'empty');
    await mkdir(empty);
    const suites = await conform(['--suites', empty, ...p.flags]);
    expect(suites.code).toBe(2);
    expect(suites.stderr).toMatch(/^conform: no cases selected: --suites .*empty holds no suite files/);
    await expect(readFile(p.junit)).rejects.toThrow();
  });

  it('a YAML syntax error names the line it is on, not line 1', async () => {
    const p = await reportPaths();
    const suites = join(p.dir, 'suites');
    await mkdir(join(suites, 'https'), { recursive: true });
    await writeFile(
      join(suites, 'https/broken.yaml'),
      '- id: https.demo.x\n  title: x\n  level: must\n  refs: [RFC 1]\n  server: { minVersion: TLSv1.2\n  expect: [{ outcome: success }]\n',
    );
    const run = await conform(['list', '--suites', suites]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/broken\.yaml:5: YAML syntax: the \{ opened on this line is not closed with \}/);
  });

  it.skipIf(!findExecutable('bash'))('`conform list | head -1` exits quietly when the reader goes away', async () => {
    const { stdout: listing } = await conform(['list']);
    // Longer than a pipe's buffer, so the writer is still writing when head exits.
    expect(listing.length).toBeGreaterThan(65536);
    const run = await new Promise<Run>((resolve) => {
      execFile(
        'bash',
        ['-c', `"${process.execPath}" "${CLI}" list | head -1; echo "status \${PIPESTATUS[0]}" >&2`],
        (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr }),
      );
    });
    expect(run.stdout.split('\n').filter(Boolean)).toHaveLength(1);
    expect(run.stderr).toBe('status 0\n');
  });
});

describe.concurrent('--known-results: a client’s known failures', () => {
  it('reports a listed failure as expected (exit 0) and a listed case that passes as stale', async () => {
    const p = await reportPaths();
    const file = join(p.dir, 'skip-verify.yaml');
    await writeFile(
      file,
      [
        'client: reference --flaw skip-verify',
        'fail:',
        '  https.certificate.expired: accepts any certificate, by design of the flaw',
        '  https.certificate.valid: listed by mistake',
        '',
      ].join('\n'),
    );
    const run = await conform([
      '--client',
      'reference --flaw skip-verify',
      '--known-results',
      file,
      '--grep',
      '^https\\.certificate\\.(valid|expired|self-signed)$',
      ...p.flags,
    ]);
    // self-signed is not listed, so it still fails the run.
    expect(run.code).toBe(1);
    expect(run.stdout).toMatch(/~ .* https\.certificate\.expired .*expected failure \(accepts any certificate/);
    expect(run.stdout).toMatch(/https\.certificate\.valid .*stale known result: listed as an expected fail/);
    expect(run.stdout).toMatch(/1 passed, 1 failed, 0 skipped, 1 expected failures, 1 stale known results/);
    const xml = await readFile(p.junit, 'utf8');
    expect(xml).toMatch(
      /name="https\.certificate\.expired"[^>]*>\s*<skipped message="expected failure \(accepts any certificate/,
    );
    // The flag's older name keeps working.
    const old = await conform([
      '--client',
      'reference --flaw skip-verify',
      '--expect',
      file,
      '--grep',
      '^https\\.certificate\\.expired$',
      ...p.flags,
    ]);
    expect(old.code).toBe(0);
    expect(old.stdout).toMatch(/1 expected failures/);
  });

  it('names the file and field of a malformed known-results file', async () => {
    const p = await reportPaths();
    const file = join(p.dir, 'bad.yaml');
    await writeFile(file, 'client: x\nfail:\n  https.certificate.expired: ""\n');
    const run = await conform(['--known-results', file, ...p.flags]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /bad\.yaml: field fail\.https\.certificate\.expired: every expected failure needs its reason/,
    );
  });
});
