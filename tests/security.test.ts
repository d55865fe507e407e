/**
 * The security properties of issue 7, each against the real thing: the CLI as
 * a process, servers on real sockets (observed from /proc), files on disk.
 *
 * Elsewhere: the FTP server's virtual tree cannot be escaped (paths with
 * `..`, absolute host paths, NUL; uploads outside /upload) in
 * servers/ftps/machine.test.ts ("ftps virtual tree") and, over real sockets, in
 * servers/ftps/server.test.ts ("serves only its virtual tree"); private keys
 * 0600 in a store's own folder in certs/store.test.ts; argv without a shell at
 * the process level in harness/clients/contain.test.ts.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { defaultCertsDir, generateAll } from '../certs/index.js';
import { findExecutable } from '../harness/clients/which.js';
import { UsageError } from '../harness/errors.js';
import { loadCatalogue } from '../harness/suite/catalogue.js';
import { parseSuite } from '../harness/suite/load.js';

const ROOT = join(import.meta.dirname, '..');
const CLI = join(ROOT, 'dist/harness/cli.js');
/** The common JUnit schema (Jenkins xUnit's), kept in the repository: nothing here reads outside it. */
const XSD = join(ROOT, 'tests/fixtures/junit-10.xsd');
const CHROMIUM = findExecutable('chromium') ?? findExecutable('chromium-browser');

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}
function conform(args: string[], opts: { env?: Record<string, string>; cwd?: string } = {}): Promise<Run> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [CLI, ...args],
      { env: { ...process.env, ...opts.env }, cwd: opts.cwd ?? ROOT, maxBuffer: 32 << 20 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, stdout, stderr });
      },
    );
  });
}

async function scratch(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'conform-security-'));
}

/** One case of every protocol, each with more than one listener where the protocol has them. */
const ONE_PER_PROTOCOL =
  '^(https\\.certificate\\.valid|smtp\\.starttls\\.stripped|pop3\\.stls\\.order|imap\\.starttls\\.order|ftps\\.explicit\\.order|socks5\\.negotiation\\.no-auth)$';

/**
 * A client that reports every listening TCP socket and every UDP socket the
 * harness (its parent, or grandparent behind the spawner) holds, from /proc, then says it cannot do the job (89).
 */
const LISTENERS_CLIENT = String.raw`
import { appendFileSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';
// The harness is the parent, or the parent's parent when a spawner process starts the clients.
const parentOf = (pid) => Number(/^PPid:\s+(\d+)$/m.exec(readFileSync('/proc/' + pid + '/status', 'utf8'))[1]);
const inodes = new Set([process.ppid, parentOf(process.ppid)].flatMap((pid) => readdirSync('/proc/' + pid + '/fd').flatMap((fd) => {
  try { const m = /^socket:\[(\d+)\]$/.exec(readlinkSync('/proc/' + pid + '/fd/' + fd)); return m ? [m[1]] : []; } catch { return []; }
})));
const v4 = (hex) => hex.match(/../g).reverse().map((h) => parseInt(h, 16)).join('.');
const found = [];
for (const table of ['tcp', 'tcp6', 'udp', 'udp6']) {
  for (const line of readFileSync('/proc/net/' + table, 'utf8').split('\n').slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10 || !inodes.has(cols[9])) continue;
    if (table.startsWith('tcp') && cols[3] !== '0A') continue; // 0A: LISTEN
    const [addr, port] = cols[1].split(':');
    found.push({ table, addr: table.endsWith('6') ? addr : v4(addr), port: parseInt(port, 16) });
  }
}
appendFileSync(process.env.LISTENERS_DUMP, JSON.stringify({ id: process.env.CONFORM_CASE, addr: process.env.CONFORM_ADDR, found }) + '\n');
process.exit(89);
`;

async function listeners(
  bind: string[],
): Promise<{ run: Run; seen: { id: string; addr: string; found: { table: string; addr: string; port: number }[] }[] }> {
  const dir = await scratch();
  const client = join(dir, 'listeners.mjs');
  const dump = join(dir, 'listeners.jsonl');
  await writeFile(client, LISTENERS_CLIENT);
  const run = await conform(
    [
      '--client-cmd',
      `${process.execPath} ${client}`,
      '--grep',
      ONE_PER_PROTOCOL,
      ...bind,
      '--junit',
      join(dir, 'j.xml'),
      '--json',
      join(dir, 'r.json'),
      '--html',
      join(dir, 'i.html'),
    ],
    { env: { LISTENERS_DUMP: dump } },
  );
  const seen = (await readFile(dump, 'utf8'))
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as { id: string; addr: string; found: { table: string; addr: string; port: number }[] });
  return { run, seen };
}

describe('servers listen on loopback unless told otherwise', () => {
  it('by default every server of every protocol listens on 127.0.0.1 only, and nothing is said', async () => {
    const { run, seen } = await listeners([]);
    expect(run.code).toBe(0);
    expect(run.stderr).not.toMatch(/warning/);
    expect(seen.map((s) => s.id.split('.')[0]).sort()).toEqual(['ftps', 'https', 'imap', 'pop3', 'smtp', 'socks5']);
    for (const s of seen) {
      expect(s.found.length, s.id).toBeGreaterThan(0);
      for (const l of s.found)
        expect(`${s.id} ${l.table} ${l.addr}`).toBe(`${s.id} ${l.table.replace('6', '')} 127.0.0.1`);
    }
  });

  it('--bind moves every listener to that address and prints a warning', async () => {
    const { run, seen } = await listeners(['--bind', '127.0.0.2']);
    expect(run.code).toBe(0);
    expect(run.stderr).toMatch(/conform: warning: servers will listen on 127\.0\.0\.2/);
    for (const s of seen) {
      expect(s.addr).toBe('127.0.0.2');
      for (const l of s.found) expect(`${s.id} ${l.addr}`).toBe(`${s.id} 127.0.0.2`);
    }
  });

  it('serve --bind warns too', async () => {
    const child = spawn(process.execPath, [CLI, 'serve', 'https.certificate.valid', '--bind', '127.0.0.2'], {
      cwd: ROOT,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const exited = new Promise((resolve) => child.on('exit', resolve));
    await new Promise<void>((resolve) => {
      const timer = setInterval(
        () => (out.includes('# events') || child.exitCode !== null) && (clearInterval(timer), resolve()),
        20,
      );
    });
    child.kill('SIGTERM');
    await exited;
    expect(out).toMatch(/listening on 127\.0\.0\.2:\d+/);
    expect(err).toMatch(/conform: warning: servers will listen on 127\.0\.0\.2/);
  });
});

describe('generated private keys', () => {
  async function keyModes(dir: string): Promise<{ keys: Record<string, number>; dirs: Record<string, number> }> {
    const keys: Record<string, number> = {};
    const dirs: Record<string, number> = { '.': (await stat(dir)).mode & 0o777 };
    for (const e of await readdir(dir, { withFileTypes: true, recursive: true })) {
      const path = join(e.parentPath, e.name);
      if (e.isDirectory()) dirs[relative(dir, path)] = (await stat(path)).mode & 0o777;
      else if (e.name.endsWith('key.pem')) keys[relative(dir, path)] = (await stat(path)).mode & 0o777;
    }
    return { keys, dirs };
  }

  it('are mode 0600 in folders of mode 0700, in certs/generated and even under umask 000', async () => {
    await generateAll();
    const fresh = join(await scratch(), 'generated');
    const umask = process.umask(0);
    try {
      await generateAll({ dir: fresh });
    } finally {
      process.umask(umask);
    }
    for (const dir of [defaultCertsDir(), fresh]) {
      const { keys, dirs } = await keyModes(dir);
      expect(Object.keys(keys).length).toBeGreaterThan(10);
      for (const [file, mode] of Object.entries(keys)) expect(`${file} ${mode.toString(8)}`).toBe(`${file} 600`);
      for (const [folder, mode] of Object.entries(dirs)) expect(`${folder} ${mode.toString(8)}`).toBe(`${folder} 700`);
    }
  });
});

describe('client commands never pass through a shell', () => {
  it('--client-cmd: metacharacters reach the client as literal arguments and run nothing', async () => {
    const dir = await scratch();
    const client = join(dir, 'argv.mjs');
    await writeFile(
      client,
      `import { writeFileSync } from 'node:fs'; writeFileSync(process.env.ARGV_DUMP, JSON.stringify(process.argv.slice(2))); process.exit(89);`,
    );
    const cmd = `${process.execPath} ${client} '$(touch pwned-1)' "\`touch pwned-2\`" '; touch pwned-3' '| touch pwned-4' '> pwned-5' '*' '$HOME' && touch pwned-6`;
    const run = await conform(
      [
        '--client-cmd',
        cmd,
        '--grep',
        '^https\\.certificate\\.valid$',
        '--artifacts',
        'none',
        '--junit',
        join(dir, 'j.xml'),
        '--json',
        join(dir, 'r.json'),
        '--html',
        join(dir, 'i.html'),
      ],
      { cwd: dir, env: { ARGV_DUMP: join(dir, 'argv.json') } },
    );
    expect(run.code).toBe(0);
    expect(JSON.parse(await readFile(join(dir, 'argv.json'), 'utf8'))).toEqual([
      '$(touch pwned-1)',
      '`touch pwned-2`',
      '; touch pwned-3',
      '| touch pwned-4',
      '> pwned-5',
      '*',
      '$HOME',
      '&&',
      'touch',
      'pwned-6',
    ]);
    expect((await readdir(dir)).filter((n) => n.startsWith('pwned'))).toEqual([]);
  });

  it('no harness module can start a process through a shell', async () => {
    const sources = (await readdir(join(ROOT, 'harness'), { recursive: true })).filter(
      (f) => f.endsWith('.ts') && !f.endsWith('.test.ts'),
    );
    const spawning: string[] = [];
    for (const file of sources) {
      const text = await readFile(join(ROOT, 'harness', file), 'utf8');
      const imported = /import\s*\{([^}]*)\}\s*from\s*'node:child_process'/.exec(text);
      if (!imported) continue;
      spawning.push(file);
      expect(
        imported[1]!.split(',').map((s) => s.trim()),
        file,
      ).not.toContain('exec');
      expect(
        imported[1]!.split(',').map((s) => s.trim()),
        file,
      ).not.toContain('execSync');
      expect(text, file).not.toMatch(/shell:\s*true/);
    }
    expect(spawning).toContain('clients/contain.ts');
  });
});

describe('suite YAML is data and cannot execute code', () => {
  const suite = (title: string) =>
    `- id: https.demo.ok\n  title: ${title}\n  level: info\n  refs: [RFC 1]\n  expect: [{ outcome: success }]\n`;

  it.each([
    ["!!js/function \"function () { require('fs').writeFileSync('/tmp/conform-pwned', '') }\"", '!!js/function'],
    ['!!js/undefined ""', '!!js/undefined'],
    ['!!python/object/apply:os.system ["id"]', '!!python/object/apply:os.system'],
    ['!custom x', '!custom'],
    ['!!binary aGk=', '!!binary'],
  ])('rejects the tag in %s, naming file and line', (value, tag) => {
    const { cases, problems } = parseSuite('suites/https/x.yaml', suite(value), 'https');
    expect(cases).toEqual([]);
    expect(problems).toEqual([
      {
        file: 'suites/https/x.yaml',
        line: 2,
        message: `tag ${tag} is not allowed: a suite file is plain data (strings, numbers, booleans, lists, maps)`,
      },
    ]);
  });

  it('rejects an alias bomb ("billion laughs") with an error, not a hang or a crash', () => {
    const levels = ['refs: &a [RFC 1, RFC 1, RFC 1, RFC 1, RFC 1, RFC 1, RFC 1, RFC 1, RFC 1]'];
    for (let i = 1; i < 6; i++)
      levels.push(
        `x${i}: &${'abcdef'[i]} [${Array(9)
          .fill(`*${'abcdef'[i - 1]}`)
          .join(', ')}]`,
      );
    const text = `- id: https.demo.ok\n  title: x\n  level: info\n  ${levels.join('\n  ')}\n  expect: [{ outcome: success }]\n`;
    const { problems } = parseSuite('b.yaml', text, 'https');
    expect(problems).toEqual([
      { file: 'b.yaml', line: 5, message: 'YAML: Excessive alias count indicates a resource exhaustion attack' },
    ]);
  });

  it('a __proto__ key pollutes nothing and is reported as an unknown field', () => {
    const text = suite('x').replace('level: info', 'level: info\n  __proto__: { polluted: true }');
    const { problems } = parseSuite('p.yaml', text, 'https');
    expect(problems.map((p) => p.message)).toEqual(['Unrecognized key: "__proto__"']);
    expect(({} as { polluted?: unknown }).polluted).toBeUndefined();
  });

  it('the CLI refuses such a suite as a usage error (exit 2) naming file and line, and runs nothing', async () => {
    const dir = await scratch();
    await mkdir(join(dir, 'suites/https'), { recursive: true });
    await writeFile(join(dir, 'suites/https/evil.yaml'), suite('!!js/function "function () { return 1 }"'));
    const run = await conform(
      ['--suites', join(dir, 'suites'), '--junit', join(dir, 'j.xml'), '--json', join(dir, 'r.json')],
      { cwd: dir },
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/suites\/https\/evil\.yaml:2: tag !!js\/function is not allowed/);
    expect(existsSync(join(dir, 'j.xml'))).toBe(false);
    await expect(loadCatalogue(join(dir, 'suites'), false)).rejects.toBeInstanceOf(UsageError);
  });
});

/**
 * A client that prints and sends to the server markup, CDATA terminators,
 * every byte value (NUL and the other controls included), invalid UTF-8 and
 * the XML-forbidden noncharacters, and whose own command line is markup.
 */
const HOSTILE_CLIENT = String.raw`
import { connect } from 'node:net';
const text = Buffer.from('<script>alert(1)</script> ]]> ]]]]>> <![CDATA[ x ]]> & " \' <!-- --> \u2028\u2029 \uFFFE\uFFFF </script><img src=x onerror=alert(2)>\n');
const bytes = Buffer.from(Array.from({ length: 256 }, (_, i) => i));
const invalid = Buffer.from([0xff, 0xfe, 0xc3, 0x28, 0xed, 0xa0, 0x80, 0xf8, 0x88, 0x80, 0x80, 0x80, 0xc0, 0xaf]);
const junk = Buffer.concat([text, bytes, invalid, Buffer.from('\r\n\r\n')]);
process.stdout.write(junk);
process.stderr.write(junk);
const socket = connect(Number(process.env.CONFORM_PORT), process.env.CONFORM_ADDR, () => socket.write(junk));
socket.on('data', () => {});
socket.on('close', () => process.exit(3));
socket.on('error', () => process.exit(3));
// Servers that wait for a proper command would keep it waiting: leave in time.
setTimeout(() => process.exit(3), 1000);
`;

function xmllint(args: string[]): Promise<Run> {
  return new Promise((resolve) =>
    execFile('xmllint', args, (err, stdout, stderr) => resolve({ code: err ? 1 : 0, stdout, stderr })),
  );
}

describe('reports escape everything a client sent', () => {
  // Each expects the client to succeed, so the hostile client fails every one.
  const HOSTILE_CASES =
    '^(https\\.(certificate\\.valid|plaintext\\.client-speaks-tls)|smtp\\.certificate\\.starttls-valid-chain|pop3\\.stls\\.order|ftps\\.explicit\\.order)$';
  let once: ReturnType<typeof hostileRun> | undefined;
  const hostile = (): ReturnType<typeof hostileRun> => (once ??= hostileRun());

  async function hostileRun(): Promise<{ dir: string; junit: string; html: string; label: string }> {
    const dir = await scratch();
    const client = join(dir, 'hostile.mjs');
    await writeFile(client, HOSTILE_CLIENT);
    const cmd = `${process.execPath} ${client} '<script>alert(3)</script>' ']]>' '&amp;'`;
    const junit = join(dir, 'junit.xml');
    const html = join(dir, 'index.html');
    const run = await conform([
      '--client-cmd',
      cmd,
      '--grep',
      HOSTILE_CASES,
      '--junit',
      junit,
      '--html',
      html,
      '--json',
      join(dir, 'r.json'),
      '--artifacts',
      'none',
    ]);
    expect(run.code).toBe(1);
    return { dir, junit, html, label: cmd };
  }

  it.skipIf(!findExecutable('xmllint'))(
    'JUnit validates against the common schema and holds exactly the cases, as text',
    async () => {
      const { junit } = await hostile();
      const lint = await xmllint(['--noout', '--schema', XSD, junit]);
      expect(lint.stderr).toMatch(/validates/);
      expect(lint.code).toBe(0);
      // Nothing the client sent became an element or an attribute.
      expect((await xmllint(['--xpath', 'count(//testcase)', junit])).stdout.trim()).toBe('5');
      expect((await xmllint(['--xpath', 'count(//failure)', junit])).stdout.trim()).toBe('5');
      expect((await xmllint(['--xpath', 'count(//script | //img | //*[@onerror])', junit])).stdout.trim()).toBe('0');
      // The client's label survives as text in an attribute.
      expect((await xmllint(['--xpath', 'string(//property[@name="client"]/@value)', junit])).stdout).toContain(
        "'<script>alert(3)</script>' ']]>' '&amp;'",
      );
    },
  );

  it('HTML: the embedded data cannot end its script element, and in Chromium it is shown as text and runs nothing', async () => {
    const { html, label } = await hostile();
    const page = await readFile(html, 'utf8');
    const data = /<script type="application\/json" id="conform-data">([\s\S]*?)<\/script>/.exec(page)?.[1] ?? '';
    expect(data.length).toBeGreaterThan(1000);
    expect(data).not.toContain('<');
    expect(page.match(/<script\b/g)).toHaveLength(2);
    expect(page).not.toMatch(/<img\b/);
    if (!CHROMIUM) return;
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--no-first-run'],
    });
    try {
      const tab = await browser.newPage();
      const dialogs: string[] = [];
      tab.on('dialog', (d) => {
        dialogs.push(d.message());
        void d.dismiss();
      });
      await tab.goto(pathToFileURL(html).href);
      await tab.locator('#cases details').first().waitFor();
      for (const d of await tab.locator('#cases details').all()) await d.evaluate((n) => n.setAttribute('open', ''));
      const text = (await tab.locator('body').textContent()) ?? '';
      expect(text).toContain('<script>alert(1)</script> ]]>');
      expect(text).toContain(label);
      expect(await tab.locator('script').count()).toBe(2);
      expect(await tab.locator('img').count()).toBe(0);
      expect(dialogs).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
