import type { Job } from '../../../contract/job.js';
import { curlCommon, curlUpgrade, urlHost } from './curl-common.js';

/**
 * curl's command line for a POP3 job: the URL path /1 retrieves message 1
 * (RETR 1) and writes it to --output. Explicit TLS is STLS: `--ssl-reqd` when
 * the job requires TLS (curl then stops if STLS fails), `--ssl` when it only
 * allows it (curl goes on in plaintext if STLS is refused); implicit TLS is a
 * pop3s:// URL. Verification stays on unless `insecure` (-k).
 */
export function curlPop3Argv(job: Job, insecure: boolean): string[] | 'unsupported' {
  if (job.action !== 'retrieve') return 'unsupported';
  const scheme = job.tls === 'implicit' ? 'pop3s' : 'pop3';
  return [
    ...curlCommon(job, insecure),
    ...curlUpgrade(job),
    '--user',
    `${job.user}:${job.pass}`,
    '--output',
    job.outputFile,
    `${scheme}://${urlHost(job)}:${job.port}/1`,
  ];
}
