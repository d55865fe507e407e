import type { Job } from '../../job.js';

/** curl's command line for a FTPS job; not written yet. */
export function curlFtpsArgv(_job: Job, _insecure: boolean): string[] | 'unsupported' {
  return 'unsupported';
}
