import { join } from 'node:path';
import type { Job } from '../../../contract/job.js';

/**
 * The wrapper scripts of the SMTP-only profiles (clients/wrappers/): msmtp reads
 * its message from standard input, which the harness does not give, so a small
 * bash wrapper feeds it; nodemailer is a library, driven by a Node script.
 */
export function mailWrapperArgv(repoRoot: string, client: 'msmtp' | 'nodemailer', job: Job): string[] | 'unsupported' {
  if (job.protocol !== 'smtp' || job.action !== 'send') return 'unsupported';
  if (client === 'msmtp') return ['bash', join(repoRoot, 'clients/wrappers/msmtp_smtp.sh')];
  return [process.execPath, join(repoRoot, 'clients/wrappers/nodemailer_smtp.mjs')];
}
