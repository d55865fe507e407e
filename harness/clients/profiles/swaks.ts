import { join } from 'node:path';
import type { Job } from '../../../contract/job.js';

/**
 * swaks' command line for an SMTP job. Verification is off in swaks by
 * default, so --tls-verify with --tls-ca-path turns it on; --tls requires
 * STARTTLS, --tls-optional-strict uses it when offered (and aborts when a
 * negotiation fails), --tls-on-connect is implicit TLS. The message is given
 * with --data @FILE (by clients/wrappers/swaks_smtp.sh) and swaks' default
 * "fixup", which quotes leading dots and adds the closing dot (--no-data-fixup
 * would send the file raw, unstuffed).
 */
export function swaksArgv(repoRoot: string, job: Job): string[] | 'unsupported' {
  if (job.protocol !== 'smtp' || job.action !== 'send') return 'unsupported';
  const tls =
    job.tls === 'implicit'
      ? ['--tls-on-connect']
      : job.tls === 'explicit'
        ? [job.requireTls ? '--tls' : '--tls-optional-strict']
        : [];
  return [
    // The wrapper adds --data with the message less its final CRLF, which swaks adds back.
    'bash',
    join(repoRoot, 'clients/wrappers/swaks_smtp.sh'),
    '--server',
    job.addr || job.host,
    '--port',
    String(job.port),
    '--timeout',
    `${Math.max(1, Math.floor(job.timeoutMs / 1000))}s`,
    '--ehlo',
    'client.conform.test',
    '--from',
    job.mailFrom,
    '--to',
    job.mailTo,
    ...tls,
    ...(tls.length ? ['--tls-verify', '--tls-ca-path', job.caFile, '--tls-sni', job.host] : []),
    // The client certificate the job gives, presented when the server asks.
    ...(tls.length && job.clientCert ? ['--tls-cert', job.clientCert, '--tls-key', job.clientKey] : []),
    ...(job.user ? ['--auth', '--auth-user', job.user, '--auth-password', job.pass] : []),
  ];
}
