import type { Job } from '../../../contract/job.js';
import { curlCommon } from './curl-common.js';
import { curlSmtpArgv } from './curl-smtp.js';
import { curlPop3Argv } from './curl-pop3.js';
import { curlImapArgv } from './curl-imap.js';
import { curlFtpsArgv } from './curl-ftps.js';
import { curlSocks5Argv } from './curl-socks5.js';

/**
 * curl's command line for a job, strict: verification on, the CA file given,
 * names mapped with --resolve (CONFORM_ADDR), a time limit, and --fail so an
 * HTTP error is an error. `insecure` adds -k, the configuration the suite
 * must catch.
 */
export function curlArgv(job: Job, insecure: boolean): string[] | 'unsupported' {
  if (job.protocol === 'smtp') return curlSmtpArgv(job, insecure);
  if (job.protocol === 'pop3') return curlPop3Argv(job, insecure);
  if (job.protocol === 'imap') return curlImapArgv(job, insecure);
  if (job.protocol === 'ftps') return curlFtpsArgv(job, insecure);
  if (job.protocol === 'socks5') return curlSocks5Argv(job, insecure);
  if (job.protocol !== 'https' || job.action !== 'get') return 'unsupported';
  return [...curlCommon(job, insecure), '--fail', '--output', job.outputFile, job.url];
}
