import { join } from 'node:path';
import type { Job } from '../../../contract/job.js';

/** imapflow (npm) is driven by a small Node script (clients/wrappers/imapflow_imap.mjs). IMAP retrieval only. */
export function imapflowArgv(repoRoot: string, job: Job): string[] | 'unsupported' {
  if (job.protocol !== 'imap' || job.action !== 'retrieve') return 'unsupported';
  return [process.execPath, join(repoRoot, 'clients/wrappers/imapflow_imap.mjs')];
}
