import type { Job } from '../../harness/job.js';
import type { RunContext } from './https.js';

/** CONFORM_ACTION=send over SMTP: not written yet, so unsupported (89). */
export async function sendMail(_job: Job, _ctx: RunContext): Promise<number> {
  return 89;
}
