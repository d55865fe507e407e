import type { Protocol } from '../../../harness/job.js';

/** Each flaw: the protocols it applies to, and the one rule it breaks, in a phrase. */
export type FlawTable = Record<string, { protocols: readonly Protocol[]; explain: string }>;
