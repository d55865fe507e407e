import { accessSync, constants } from 'node:fs';
import { delimiter, join, isAbsolute } from 'node:path';

/** The path of an executable on PATH (or the path itself), or undefined. */
export function findExecutable(name: string): string | undefined {
  const candidates =
    name.includes('/') || isAbsolute(name)
      ? [name]
      : (process.env.PATH ?? '').split(delimiter).map((d) => join(d, name));
  for (const candidate of candidates) {
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}
