import type { Job } from '../../../contract/job.js';
import { curlCommon } from './curl-common.js';

/**
 * curl's command line for a SOCKS5 job: `--proxy socks5h://…` (curl sends the
 * name, as --socks5-hostname does) or `socks5://…` (curl resolves it, as
 * --socks5 does), the account through `--proxy-user` rather than in the URL,
 * and --fail so an HTTP error is an error. The CA file verifies the target.
 */
export function curlSocks5Argv(job: Job, insecure: boolean): string[] | 'unsupported' {
  if (job.action !== 'get' || !job.proxyUrl) return 'unsupported';
  const proxy = new URL(job.proxyUrl);
  const user = decodeURIComponent(proxy.username) || job.user;
  const pass = decodeURIComponent(proxy.password) || job.pass;
  proxy.username = '';
  proxy.password = '';
  return [
    ...curlCommon({ ...job, addr: '' }, insecure),
    '--proxy',
    proxy.href.replace(/\/$/, ''),
    ...(user || pass ? ['--proxy-user', `${user}:${pass}`] : []),
    '--fail',
    '--output',
    job.outputFile,
    job.url,
  ];
}
