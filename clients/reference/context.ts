import type { Job } from '../../contract/job.js';
import type { Flaw, FlawTable } from './flaw-types.js';

/** What a protocol's reference client is given besides its job. */
export interface RunContext {
  flaws: ReadonlySet<Flaw>;
  signal: AbortSignal;
  log: (line: string) => void;
}

/** Exit status for an action the client does not support (docs/contract.md). */
export const UNSUPPORTED = 89;

/** One protocol of the reference client: clients/reference/<protocol>/index.ts exports it as `reference`. */
export interface ReferenceProtocol {
  /** Its own flaws (clients/reference/<protocol>/flaws.ts). */
  flaws: FlawTable;
  /** Shared opt-in flaws (tls-flaws.ts) it implements. */
  honours?: readonly string[];
  /** Carries out the job's action; an exit status as docs/contract.md says (UNSUPPORTED for an unknown action). */
  run(job: Job, ctx: RunContext): Promise<number>;
}
