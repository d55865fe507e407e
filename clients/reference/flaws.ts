import { TLS_FLAWS } from './tls-flaws.js';
import type { Flaw, FlawTable } from './flaw-types.js';
import { loadFlawTables } from './protocols.js';

export type { Flaw } from './flaw-types.js';

/** Each protocol's flaws, by protocol (found by folder: protocols.ts). */
export const PROTOCOL_FLAWS: Readonly<Record<string, FlawTable>> = await loadFlawTables();

/** Every flaw: the shared ones, then each protocol's. */
export const FLAWS: FlawTable = Object.assign({}, TLS_FLAWS, ...Object.values(PROTOCOL_FLAWS));
export const FLAW_NAMES: readonly Flaw[] = Object.keys(FLAWS);

export function isFlaw(name: string): name is Flaw {
  return Object.hasOwn(FLAWS, name);
}

/** Whether the flaw changes anything the protocol's client does (else it is only logged as not applying). */
export function flawApplies(flaw: Flaw, protocol: string, honours: readonly string[] = []): boolean {
  if (Object.hasOwn(PROTOCOL_FLAWS[protocol] ?? {}, flaw)) return true;
  const shared = (TLS_FLAWS as FlawTable)[flaw];
  return shared !== undefined && (!shared.optIn || honours.includes(flaw));
}

/** Parses `--flaw NAME` (repeatable); throws on an unknown flaw, listing the known ones. */
export function parseFlawArgs(args: readonly string[]): Set<Flaw> {
  const flaws = new Set<Flaw>();
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const value = arg === '--flaw' ? args[++i] : arg.startsWith('--flaw=') ? arg.slice(7) : undefined;
    if (value === undefined) throw new Error(`unknown argument "${arg}" (the reference client takes --flaw NAME)`);
    if (!isFlaw(value)) throw new Error(`unknown flaw "${value}"; known flaws: ${FLAW_NAMES.join(', ')}`);
    flaws.add(value);
  }
  return flaws;
}
