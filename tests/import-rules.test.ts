/**
 * Which top-level folder may import which (the layers CONTRIBUTING.md draws), checked on
 * every import of the product code (tests may reach anywhere). A protocol is a
 * plug-in: the harness reaches one only through its descriptor
 * (servers/<protocol>/index.ts, listed in harness/protocols.ts), and the
 * reference client shares nothing with the servers that judge it.
 */
import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, normalize, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PROTOCOL_NAMES } from '../harness/protocols.js';

const root = join(import.meta.dirname, '..');

/** Every top-level folder of code, and the folders its product code may import from (itself always). */
const MAY_IMPORT: Record<string, readonly string[]> = {
  contract: [],
  certs: [],
  servers: ['certs', 'contract'],
  clients: ['contract'],
  harness: ['servers', 'certs', 'contract', 'clients'],
  scripts: ['harness', 'servers', 'certs', 'contract', 'clients'],
  // bin/conform.js builds dist/ first when it runs in a checkout.
  bin: ['dist', 'scripts'],
  tests: ['harness', 'servers', 'certs', 'contract', 'clients', 'scripts'],
};
/** Folders of data and documents: no code to import. */
const NO_CODE = ['suites', 'docs', '.ci'];

const CODE = /\.(ts|mts|mjs|js)$/;

async function files(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && CODE.test(e.name) && !e.name.endsWith('.d.ts'))
    .map((e) => relative(root, join(e.parentPath, e.name)));
}

/** The repository paths a file imports (relative specifiers only: packages and node: are not layers). */
async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(join(root, file), 'utf8');
  const specs = [...text.matchAll(/(?:^|[^\w.])(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g)].map((m) => m[1]!);
  return specs.map((s) => normalize(join(dirname(file), s)));
}

const topOf = (path: string): string => path.split('/')[0]!;
const isTest = (file: string): boolean => /\.test\.ts$/.test(file) || file.startsWith('tests/');

async function violations(dir: string, rule: (file: string, target: string) => string | undefined): Promise<string[]> {
  const found: string[] = [];
  for (const file of await files(dir)) {
    if (dir !== 'tests' && isTest(file)) continue;
    for (const target of await importsOf(file)) {
      const why = rule(file, target);
      if (why) found.push(`${file} imports ${target}: ${why}`);
    }
  }
  return found;
}

describe('import rules', () => {
  it('every top-level folder of the repository has a rule', async () => {
    const tops = (await readdir(root, { withFileTypes: true }))
      .filter((e) => e.isDirectory() && !['node_modules', 'dist', 'reports', '.git'].includes(e.name))
      .map((e) => e.name);
    expect(tops.filter((t) => !(t in MAY_IMPORT) && !NO_CODE.includes(t))).toEqual([]);
  });

  it.each(Object.keys(MAY_IMPORT))('%s/ imports only what its layer may', async (dir) => {
    const allowed = new Set([dir, ...MAY_IMPORT[dir]!]);
    expect(
      await violations(dir, (_file, target) =>
        allowed.has(topOf(target)) ? undefined : `${dir}/ may import only ${[...allowed].join(', ')}`,
      ),
    ).toEqual([]);
  });

  it('the harness reaches a protocol only through its descriptor (servers/<protocol>/index.ts)', async () => {
    const rule = (_file: string, target: string): string | undefined => {
      const [top, folder, ...rest] = target.split('/');
      if (top !== 'servers' || folder === 'shared') return undefined;
      return rest.join('/') === 'index.js' ? undefined : 'not the protocol descriptor';
    };
    expect(await violations('harness', rule)).toEqual([]);
  });

  it('the harness reaches the reference client only through its entry points', async () => {
    const rule = (_file: string, target: string): string | undefined =>
      !target.startsWith('clients/') || target === 'clients/reference/index.js'
        ? undefined
        : 'not clients/reference/index.js';
    expect(await violations('harness', rule)).toEqual([]);
  });

  it('protocol folders do not reach into one another, but for SOCKS5 into HTTPS (the target behind its tunnel)', async () => {
    // servers/<p>/… or clients/reference/<p>/…: the protocol a path belongs to, if any.
    const protocolOf = (path: string): string | undefined => {
      const parts = path.split('/');
      const name =
        parts[0] === 'servers' ? parts[1] : parts[0] === 'clients' && parts[1] === 'reference' ? parts[2] : undefined;
      return PROTOCOL_NAMES.find((p) => p === name);
    };
    const rule = (file: string, target: string): string | undefined => {
      const [from, to] = [protocolOf(file), protocolOf(target)];
      if (!from || !to || from === to || (from === 'socks5' && to === 'https')) return undefined;
      return `${from} reaches into ${to}`;
    };
    expect([...(await violations('servers', rule)), ...(await violations('clients', rule))]).toEqual([]);
  });

  it('no module imports itself back, directly or round a circle (type imports too)', async () => {
    const graph = new Map<string, string[]>();
    for (const dir of Object.keys(MAY_IMPORT).filter((d) => !['tests', 'bin'].includes(d))) {
      for (const file of (await files(dir)).filter((f) => !isTest(f))) {
        graph.set(
          file,
          (await importsOf(file)).map((t) => t.replace(/\.js$/, '.ts')),
        );
      }
    }
    const circles: string[] = [];
    const state = new Map<string, 'open' | 'done'>();
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') return void circles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) if (graph.has(next)) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });

  it('suites hold data only: no code, no YAML tags that construct objects', async () => {
    const entries = await readdir(join(root, 'suites'), { recursive: true });
    const yamlFiles = entries.filter((f) => f.endsWith('.yaml'));
    expect(yamlFiles.length).toBeGreaterThan(0);
    for (const f of yamlFiles)
      expect(await readFile(join(root, 'suites', f), 'utf8')).not.toMatch(/!!js|!!python|!<tag:/);
    expect((await readdir(join(root, 'suites'), { recursive: true })).filter((f) => CODE.test(f))).toEqual([]);
  });
});
