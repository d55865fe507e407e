import type { Job } from '../../../contract/job.js';
import { curlCommon, curlUpgrade, urlHost } from './curl-common.js';

/**
 * curl's command line for an IMAP job: `/INBOX/;MAILINDEX=1` selects INBOX and
 * fetches message 1 by its sequence number (`FETCH 1 BODY[]`, RFC 5092's URL
 * form as curl implements it), writing the literal to --output. Explicit TLS is
 * STARTTLS: `--ssl-reqd` when the job requires TLS (curl then stops if STARTTLS
 * is missing or refused), `--ssl` when it only allows it; implicit TLS is an
 * imaps:// URL. curl logs in with AUTHENTICATE when the server lists a SASL
 * mechanism it knows, else LOGIN. Verification stays on unless `insecure` (-k).
 */
export function curlImapArgv(job: Job, insecure: boolean): string[] | 'unsupported' {
  if (job.action !== 'retrieve') return 'unsupported';
  const scheme = job.tls === 'implicit' ? 'imaps' : 'imap';
  return [
    ...curlCommon(job, insecure),
    ...curlUpgrade(job),
    '--user',
    `${job.user}:${job.pass}`,
    '--output',
    job.outputFile,
    `${scheme}://${urlHost(job)}:${job.port}/INBOX/;MAILINDEX=1`,
  ];
}
