import type { Protocol } from '../protocols.js';
import type { JobSpec } from './case-schema.js';
import type { EventMatcher, Expectation, InvariantName } from './expectations-schema.js';

export type Level = 'must' | 'should' | 'info';

/** A loaded, validated, matrix-expanded case: what the runner runs. */
export interface Case {
  id: string;
  title: string;
  level: Level;
  refs: string[];
  description?: string;
  protocol: Protocol;
  /** The protocol server's options, validated and with defaults filled in. */
  server: unknown;
  job: JobSpec;
  expect: Expectation[];
  allow: InvariantName[];
  /** The point under test, when the case names it (harness/judge/reach.ts derives it otherwise). */
  reach?: { events?: EventMatcher[]; point?: string; unreached?: 'fail' | 'skip' | 'not-applicable' };
  witnesses?: { pass: string; fail: string[] };
  /** Where it was written, for error messages and reports. */
  source: { file: string; line: number };
}
