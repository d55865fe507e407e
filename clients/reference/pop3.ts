import type { Job } from '../../harness/job.js';
import type { RunContext } from './https.js';

/** CONFORM_ACTION=retrieve over POP3: not written yet, so unsupported (89). */
export async function retrieveMail(_job: Job, _ctx: RunContext): Promise<number> {
  return 89;
}
