import type { ServerEvent } from '../../servers/shared/events.js';
import type { Job } from '../../contract/job.js';
import type { ClientOutcome } from '../clients/outcome.js';

/** Everything a verdict rests on: what the servers recorded, the job, and what the client did and wrote. */
export interface JudgeInput {
  events: ServerEvent[];
  job: Job;
  outcome: ClientOutcome;
  /** What the client wrote to CONFORM_OUTPUT_FILE (null: no file). */
  output: Buffer | null;
  /** What a correct client would have written. */
  expectedOutput?: Buffer;
  /** What the client was given to send (CONFORM_INPUT_FILE). */
  input?: Buffer;
  /** What the server received of it (null: nothing). */
  received?: Buffer | null;
}
