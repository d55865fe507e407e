import { readdir, readFile } from 'node:fs/promises';
import { join, relative } from 'node:path';

/** One suite file as read from disk, before any parsing. */
export interface SuiteFile {
  /** Its folder's name: a protocol of the registry, which the loader checks. */
  protocol: string;
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

/**
 * Every `<dir>/<protocol>/*.yaml` (or `.yml`), protocols and files by name. The
 * folders name the protocols: reading them needs no registry (a cached `list`
 * loads none), and the loader refuses a folder the registry does not know.
 */
export async function readSuiteFiles(dir = defaultSuitesDir()): Promise<SuiteFile[]> {
  const folders = (await readdir(dir, { withFileTypes: true }).catch(() => []))
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort();
  const perProtocol = await Promise.all(
    folders.map(async (protocol) => {
      const folder = join(dir, protocol);
      const names = (await readdir(folder).catch(() => [] as string[])).filter((f) => /\.ya?ml$/.test(f)).sort();
      return Promise.all(
        names.map(async (name): Promise<SuiteFile> => {
          const path = join(folder, name);
          return {
            protocol,
            path,
            displayName: relative(process.cwd(), path) || path,
            text: await readFile(path, 'utf8'),
          };
        }),
      );
    }),
  );
  return perProtocol.flat();
}
