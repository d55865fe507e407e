import type { Job } from '../../job.js';

/** curl's command line for a POP3 job; not written yet. */
export function curlPop3Argv(_job: Job, _insecure: boolean): string[] | 'unsupported' {
  return 'unsupported';
}
