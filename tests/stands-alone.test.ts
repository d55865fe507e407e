/**
 * The repository stands alone: no product file points at the specs kept
 * beside it (../shared) or names them; what users need of them is in docs/.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { expect, it } from 'vitest';

const repo = new URL('..', import.meta.url).pathname;

it('no tracked file refers to ../shared or to the specs outside the repository', async () => {
  const { stdout } = await promisify(execFile)('git', ['ls-files'], { cwd: repo, maxBuffer: 1 << 24 });
  const files = stdout
    .split('\n')
    .filter((f) => f && !/\.(pyc|png|pcap|xsd)$/.test(f) && f !== 'tests/stands-alone.test.ts');
  const offenders: string[] = [];
  for (const file of files) {
    const text = await readFile(join(repo, file), 'utf8').catch(() => '');
    // servers/shared is ours; the specs' folder is ../shared/{CONTRACT,DESIGN,STYLE}.md, schemas/, hooks/.
    if (/\.\.\/shared\/(schemas|hooks|CONTRACT|DESIGN|STYLE)|\b(CONTRACT|DESIGN|STYLE)\.md\b/.test(text))
      offenders.push(file);
  }
  expect(offenders).toEqual([]);
});
