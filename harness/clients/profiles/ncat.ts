import { join } from 'node:path';
import type { Job } from '../../../contract/job.js';

/**
 * ncat (nmap's netcat) only moves bytes: a small Node script
 * (clients/wrappers/ncat_socks5.mjs) runs it through the SOCKS5 proxy, with
 * --ssl-verify for an https target, and speaks HTTP over its standard input
 * and output. ncat's SOCKS5 client sends only CONNECT: `bind` and `udp` are
 * unsupported.
 */
export function ncatWrapperArgv(repoRoot: string, job: Job): string[] | 'unsupported' {
  if (job.protocol !== 'socks5' || job.action !== 'get') return 'unsupported';
  return [process.execPath, join(repoRoot, 'clients/wrappers/ncat_socks5.mjs')];
}
