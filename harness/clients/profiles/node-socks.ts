import { join } from 'node:path';
import type { Job } from '../../../contract/job.js';

/**
 * The `socks` npm library is driven by a small Node script (clients/wrappers/socks_socks5.mjs):
 * CONNECT (`get`), BIND (`bind`) and UDP ASSOCIATE (`udp`).
 */
export function socksWrapperArgv(repoRoot: string, job: Job): string[] | 'unsupported' {
  if (job.protocol !== 'socks5' || !['get', 'bind', 'udp'].includes(job.action)) return 'unsupported';
  return [process.execPath, join(repoRoot, 'clients/wrappers/socks_socks5.mjs')];
}
