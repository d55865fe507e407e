import { createHash } from 'node:crypto';
import { UsageError } from '../errors.js';
import type { Protocol } from '../protocols.js';
import type { Case } from '../suite/case.js';

export interface Selection {
  protocols?: Protocol[];
  grep?: string;
  /** 1-based shard index and count. */
  shard?: { index: number; total: number };
}

/** `--protocol https,smtp`: the protocols named, or undefined (all) when none is; each must be one of `known`. */
export function protocolsFrom(text: string | undefined, known: readonly string[]): Protocol[] | undefined {
  if (!text) return undefined;
  const list = text
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean);
  const bad = list.filter((p) => !known.includes(p));
  if (bad.length)
    throw new UsageError('BAD_FLAG', `--protocol: unknown ${bad.join(', ')} (known: ${known.join(', ')})`);
  return list as Protocol[];
}

/** `I/N` with 1 ≤ I ≤ N. */
export function parseShard(text: string): { index: number; total: number } {
  const m = /^(\d+)\/(\d+)$/.exec(text);
  const index = Number(m?.[1]);
  const total = Number(m?.[2]);
  if (!m || total < 1 || index < 1 || index > total)
    throw new UsageError('BAD_FLAG', `--shard must be I/N with 1 ≤ I ≤ N, got "${text}"`);
  return { index, total };
}

/** Stable slot of a case among N shards: depends on its id alone, not on the catalogue's order or size. */
export function shardOf(id: string, total: number): number {
  return createHash('sha1').update(id).digest().readUInt32BE(0) % total;
}

export function selectCases(cases: Case[], sel: Selection): Case[] {
  let re: RegExp | undefined;
  if (sel.grep !== undefined) {
    try {
      re = new RegExp(sel.grep);
    } catch (err) {
      throw new UsageError('BAD_FLAG', `--grep: ${(err as Error).message}`);
    }
  }
  return cases.filter(
    (c) =>
      (!sel.protocols || sel.protocols.includes(c.protocol)) &&
      (!re || re.test(c.id)) &&
      (!sel.shard || shardOf(c.id, sel.shard.total) === sel.shard.index - 1),
  );
}
