import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Reporter } from './reporter.js';

/** Machine-readable results: the summary and every CaseResult, events included (what `merge` reads). */
export function jsonReporter(file: string, strict = false): Reporter {
  return {
    name: 'json',
    async onEnd(results, summary) {
      await mkdir(dirname(file), { recursive: true });
      await writeFile(file, `${JSON.stringify({ version: 1, strict, summary, results }, null, 1)}\n`);
    },
  };
}
