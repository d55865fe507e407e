import { join } from 'node:path';
import type { Job } from '../../../contract/job.js';

/** basic-ftp (npm) is driven by a small Node script (clients/wrappers/basicftp_ftps.mjs). */
export function basicFtpArgv(repoRoot: string, job: Job): string[] | 'unsupported' {
  if (job.protocol !== 'ftps') return 'unsupported';
  return [process.execPath, join(repoRoot, 'clients/wrappers/basicftp_ftps.mjs')];
}
