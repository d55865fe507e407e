import type { Job } from '../../job.js';

/** curl's command line for a SMTP job; not written yet. */
export function curlSmtpArgv(_job: Job, _insecure: boolean): string[] | 'unsupported' {
  return 'unsupported';
}
