/** Every source file is in the house format (biome.json: print width 120): `npm run format` fixes what this finds. */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..');

it('biome finds nothing to reformat', () => {
  const run = spawnSync(join(root, 'node_modules/.bin/biome'), ['format', '.'], { cwd: root, encoding: 'utf8' });
  expect(run.stdout + run.stderr, 'run `npm run format`').not.toMatch(/format ━|Some errors/);
  expect(run.status).toBe(0);
});
