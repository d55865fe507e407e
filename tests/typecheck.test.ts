/**
 * `npm test` type-checks the whole project (strict mode) with tsc, as a test
 * of the unit group: it runs beside the other unit files instead of before
 * the whole suite.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { expect, it } from 'vitest';

const repo = new URL('..', import.meta.url).pathname;

it('the project type-checks under tsconfig.json (strict)', async () => {
  const result = await new Promise<{ code: number; out: string }>((resolve) => {
    execFile(
      join(repo, 'node_modules/.bin/tsc'),
      ['--noEmit', '-p', repo],
      { maxBuffer: 1 << 24 },
      (err, stdout, stderr) => {
        resolve({ code: err ? (typeof err.code === 'number' ? err.code : 1) : 0, out: `${stdout}${stderr}` });
      },
    );
  });
  expect(result.out.trim().split('\n').filter(Boolean).slice(0, 20)).toEqual([]);
  expect(result.code).toBe(0);
}, 120_000);
