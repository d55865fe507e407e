import type { Job } from '../../job.js';

/** curl's command line for a SOCKS5 job; not written yet. */
export function curlSocks5Argv(_job: Job, _insecure: boolean): string[] | 'unsupported' {
  return 'unsupported';
}
