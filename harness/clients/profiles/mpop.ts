import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Job } from '../../../contract/job.js';

const repoRoot = fileURLToPath(
  new URL(import.meta.url.includes('/dist/') ? '../../../../' : '../../../', import.meta.url),
);

/**
 * mpop (Debian builds it on GnuTLS), through clients/wrappers/mpop_pop3.mjs:
 * mpop takes its password and delivery from a configuration file, which the
 * wrapper writes per job. POP3 retrieval only.
 */
export function mpopArgv(job: Job): string[] | 'unsupported' {
  if (job.protocol !== 'pop3' || job.action !== 'retrieve') return 'unsupported';
  return [process.execPath, join(repoRoot, 'clients/wrappers/mpop_pop3.mjs')];
}
