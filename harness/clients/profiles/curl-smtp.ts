import type { Job } from '../../../contract/job.js';
import { curlCommon, curlUpgrade, urlHost } from './curl-common.js';

/**
 * curl's command line for an SMTP job (CONFORM_ACTION=send): smtp:// with
 * STARTTLS (--ssl-reqd when TLS is required, --ssl when optional) or smtps://
 * for implicit TLS, the CA file, the name mapped with --resolve, one
 * --mail-rcpt per recipient, the message uploaded from CONFORM_INPUT_FILE (curl
 * dot-stuffs it), credentials when given. `insecure` adds -k.
 */
export function curlSmtpArgv(job: Job, insecure: boolean): string[] | 'unsupported' {
  if (job.action !== 'send') return 'unsupported';
  const scheme = job.tls === 'implicit' ? 'smtps' : 'smtp';
  const recipients = job.mailTo
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean);
  return [
    ...curlCommon(job, insecure),
    ...curlUpgrade(job),
    ...(job.user ? ['--user', `${job.user}:${job.pass}`] : []),
    '--mail-from',
    job.mailFrom,
    ...recipients.flatMap((r) => ['--mail-rcpt', r]),
    '--upload-file',
    job.inputFile,
    `${scheme}://${urlHost(job)}:${job.port}`,
  ];
}
