/** Dependencies point one way. servers/ and certs/ never import harness/. */
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

async function sourceFiles(dir: string): Promise<string[]> {
  const entries = await readdir(join(root, dir), { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile() && e.name.endsWith('.ts')).map((e) => join(e.parentPath, e.name));
}

async function importsOf(file: string): Promise<string[]> {
  const text = await readFile(file, 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*['"]([^'"]+)['"]/g)].map((m) => m[1]!);
}

describe('dependency direction', () => {
  it.each(['servers', 'certs'])('%s/ never imports harness/ or clients/', async (dir) => {
    const offenders: string[] = [];
    for (const file of await sourceFiles(dir)) {
      for (const spec of await importsOf(file)) if (/(^|\/)(harness|clients)\//.test(spec)) offenders.push(`${file}: ${spec}`);
    }
    expect(offenders).toEqual([]);
  });

  it('suites hold data only: no code, no YAML tags that construct objects', async () => {
    const entries = await readdir(join(root, 'suites'), { recursive: true });
    const yamlFiles = entries.filter((f) => f.endsWith('.yaml'));
    expect(yamlFiles.length).toBeGreaterThan(0);
    for (const f of yamlFiles) expect(await readFile(join(root, 'suites', f), 'utf8')).not.toMatch(/!!js|!!python|!<tag:/);
  });
});
