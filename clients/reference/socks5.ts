import type { Job } from '../../harness/job.js';
import type { RunContext } from './https.js';

/** CONFORM_PROTOCOL=socks5: not written yet, so unsupported (89). */
export async function getThroughProxy(_job: Job, _ctx: RunContext): Promise<number> {
  return 89;
}
