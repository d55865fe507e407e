import type { Job } from '../../contract/job.js';
import type { Protocol } from '../protocols.js';
import type { ClientOutcome } from './outcome.js';

/** A client under test, however it is run. */
export interface ClientAdapter {
  /** Shown in reports, e.g. `curl` or `reference --flaw skip-verify`. */
  label: string;
  /** What the client says it is (its version line), when the run can ask it; reports fall back to the label. */
  version?: string;
  /** Flags that select this client again on the command line (for repro lines). */
  cliFlags: string[];
  /** Protocols it can be asked to speak; other cases are skipped as unsupported. */
  protocols: readonly Protocol[];
  /**
   * Runs in the harness's own process (a module client): once run() has
   * returned it sends nothing more, and a connection it left open stays open
   * (no process exit closes it).
   */
  inProcess?: boolean;
  run(job: Job, env: Record<string, string>, limitMs: number): Promise<ClientOutcome>;
}

/** A client written as a module: `export async function run(job, { signal, log })` → exit status. */
export interface ModuleClient {
  run(job: Job, opts: { signal: AbortSignal; log: (line: string) => void }): Promise<number>;
}
