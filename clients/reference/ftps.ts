import type { Job } from '../../harness/job.js';
import type { RunContext } from './https.js';

/** CONFORM_PROTOCOL=ftps: not written yet, so unsupported (89). */
export async function transferFile(_job: Job, _ctx: RunContext): Promise<number> {
  return 89;
}
