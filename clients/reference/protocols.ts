/**
 * The protocols the reference client speaks: one folder each, beside this file
 * (clients/reference/<protocol>/, as servers/<protocol>/), whose index module
 * exports `reference` and whose flaws module its flaw table. The client finds
 * them by folder, so it needs no list of its own and no harness to tell it.
 */
import { existsSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ReferenceProtocol } from './context.js';
import type { FlawTable } from './flaw-types.js';

const HERE = dirname(fileURLToPath(import.meta.url));

/** Folders with an index module (built or source), in name order. */
export const REFERENCE_PROTOCOLS: readonly string[] = readdirSync(HERE, { withFileTypes: true })
  .filter(
    (d) =>
      d.isDirectory() && (existsSync(join(HERE, d.name, 'index.js')) || existsSync(join(HERE, d.name, 'index.ts'))),
  )
  .map((d) => d.name)
  .sort();

/** A protocol folder's module, as a relative specifier (.js: the test runner maps it to the .ts source). */
function modulePath(protocol: string, module: 'index' | 'flaws'): string {
  return `./${protocol}/${module}.js`;
}

/** The protocol's client, or undefined when the reference client does not speak it. */
export async function loadReferenceProtocol(protocol: string): Promise<ReferenceProtocol | undefined> {
  if (!REFERENCE_PROTOCOLS.includes(protocol)) return undefined;
  return ((await import(/* @vite-ignore */ modulePath(protocol, 'index'))) as { reference: ReferenceProtocol })
    .reference;
}

/** Each protocol's own flaw table (light modules: no client code is loaded). */
export async function loadFlawTables(): Promise<Record<string, FlawTable>> {
  const tables = await Promise.all(
    REFERENCE_PROTOCOLS.map(async (p) => {
      const module = (await import(/* @vite-ignore */ modulePath(p, 'flaws'))) as Record<string, FlawTable>;
      return [p, Object.assign({}, ...Object.values(module)) as FlawTable] as const;
    }),
  );
  return Object.fromEntries(tables);
}
