import type { Job } from '../../job.js';
import { curlSmtpArgv } from './curl-smtp.js';
import { curlPop3Argv } from './curl-pop3.js';

/**
 * curl's command line for a job, strict: verification on, the CA file given,
 * names mapped with --resolve (CONFORM_ADDR), a time limit, and --fail so an
 * HTTP error is an error. `insecure` adds -k, the configuration the suite
 * must catch.
 */
export function curlArgv(job: Job, insecure: boolean): string[] | 'unsupported' {
  if (job.protocol === 'smtp') return curlSmtpArgv(job, insecure);
  if (job.protocol === 'pop3') return curlPop3Argv(job, insecure);
  if (job.protocol !== 'https' || job.action !== 'get') return 'unsupported';
  const host = job.host.includes(':') ? `[${job.host}]` : job.host;
  return [
    'curl',
    '--silent',
    '--show-error',
    '--fail',
    '--no-progress-meter',
    '--max-time',
    String(Math.max(1, job.timeoutMs / 1000 - 0.2)),
    '--cacert',
    job.caFile,
    ...(job.addr && job.addr !== job.host ? ['--resolve', `${host}:${job.port}:${job.addr}`] : []),
    ...(job.clientCert ? ['--cert', job.clientCert, '--key', job.clientKey] : []),
    ...(insecure ? ['--insecure'] : []),
    '--output',
    job.outputFile,
    job.url,
  ];
}
