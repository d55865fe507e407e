import { mkdir, mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { CaseResult } from './result.js';
import { clearArtifacts, markClientFolder, writeCaseArtifacts } from './artifacts.js';
import { shardOf } from './select.js';

const result = (id: string): CaseResult => ({
  id,
  title: id,
  protocol: 'https',
  level: 'must',
  refs: [],
  client: 'reference',
  status: 'fail',
  checks: [],
  faults: [],
  events: [],
  durationMs: 1,
  repro: '',
});

/** Case ids that fall in shard 1 and shard 2 of 2. */
function idsByShard(): [string, string] {
  const ids = Array.from({ length: 20 }, (_, i) => `https.demo.case-${i}`);
  return [ids.find((id) => shardOf(id, 2) === 0)!, ids.find((id) => shardOf(id, 2) === 1)!];
}

describe('clearing earlier artifacts', () => {
  it('removes every folder Conform marked, and nothing else', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conform-clear-'));
    await writeCaseArtifacts(dir, result('https.demo.old'), []);
    await markClientFolder(join(dir, 'curl'), 'curl');
    await writeCaseArtifacts(join(dir, 'curl'), result('https.demo.old'), []);
    await mkdir(join(dir, 'mine'));
    await writeFile(join(dir, 'mine', 'notes.txt'), 'keep');
    await writeFile(join(dir, 'loose-file.txt'), 'keep');
    await clearArtifacts(dir);
    expect((await readdir(dir)).sort()).toEqual(['loose-file.txt', 'mine']);
  });

  it('a shard removes only the folders of its own slice: its siblings may be writing theirs', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conform-clear-'));
    const [first, second] = idsByShard();
    for (const id of [first, second]) await writeCaseArtifacts(dir, result(id), []);
    await markClientFolder(join(dir, 'curl'), 'curl');
    for (const id of [first, second]) await writeCaseArtifacts(join(dir, 'curl'), result(id), []);
    await clearArtifacts(dir, { index: 1, total: 2 });
    expect((await readdir(dir)).sort()).toEqual(['curl', second].sort());
    expect((await readdir(join(dir, 'curl'))).filter((n) => !n.startsWith('.'))).toEqual([second]);
  });

  it('is a no-op for a folder that does not exist yet', async () => {
    await expect(clearArtifacts(join(tmpdir(), 'conform-no-such-folder-xyz'))).resolves.toBeUndefined();
  });
});
