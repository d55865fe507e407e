import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { PROTOCOL_NAMES, type Protocol } from '../job.js';

/** One suite file as read from disk, before any parsing. */
export interface SuiteFile {
  protocol: Protocol;
  path: string;
  /** How errors and reports name it: relative to the working directory. */
  displayName: string;
  text: string;
}

/** The default suites folder, beside harness/ (also when running from dist/). */
export function defaultSuitesDir(): string {
  const here = new URL('.', import.meta.url).pathname;
  return join(here, here.includes('/dist/') ? '../../../suites' : '../../suites');
}

/** Every `<dir>/<protocol>/*.yaml` (or `.yml`), protocols in their fixed order, files by name. */
export async function readSuiteFiles(dir = defaultSuitesDir()): Promise<SuiteFile[]> {
  const perProtocol = await Promise.all(
    PROTOCOL_NAMES.map(async (protocol) => {
      const folder = join(dir, protocol);
      const names = (await readdir(folder).catch(() => [] as string[])).filter((f) => /\.ya?ml$/.test(f)).sort();
      return Promise.all(
        names.map(async (name): Promise<SuiteFile> => {
          const path = join(folder, name);
          return { protocol, path, displayName: relative(process.cwd(), path) || path, text: await readFile(path, 'utf8') };
        }),
      );
    }),
  );
  return perProtocol.flat();
}
