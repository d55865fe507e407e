import type { Job } from '../../harness/job.js';
import { FLAWS, parseFlawArgs, type Flaw } from './flaws.js';
import { getHttps } from './https.js';
import { sendMail } from './smtp.js';
import { retrieveMail } from './pop3.js';

export { FLAWS, FLAW_NAMES, parseFlawArgs, type Flaw } from './flaws.js';

export const UNSUPPORTED = 89;

/** Time after which the client gives up on its own (CONFORM_TIMEOUT_MS), minus a margin for exiting. */
function deadline(job: Job, flaws: ReadonlySet<Flaw>, harness: AbortSignal): AbortSignal {
  if (flaws.has('no-timeout')) return harness;
  return AbortSignal.any([harness, AbortSignal.timeout(Math.max(50, job.timeoutMs - 100))]);
}

/**
 * The reference client: strict and correct for every protocol it speaks, and
 * the default client under test. Flaws switch off one rule each.
 */
export async function runReference(job: Job, opts: { signal: AbortSignal; log: (line: string) => void; flaws: ReadonlySet<Flaw> }): Promise<number> {
  for (const flaw of opts.flaws) {
    if (!(FLAWS[flaw].protocols as readonly string[]).includes(job.protocol)) opts.log(`flaw ${flaw} does not apply to ${job.protocol}`);
  }
  const ctx = { ...opts, signal: deadline(job, opts.flaws, opts.signal) };
  switch (job.protocol) {
    case 'https':
      if (job.action !== 'get') return UNSUPPORTED;
      return getHttps(job, ctx);
    case 'smtp':
      return job.action === 'send' ? sendMail(job, ctx) : UNSUPPORTED;
    case 'pop3':
      return job.action === 'retrieve' ? retrieveMail(job, ctx) : UNSUPPORTED;
    default:
      return UNSUPPORTED;
  }
}

/** A module client (harness/clients/adapter.ts's ModuleClient) with the given flaws. */
export function referenceClient(args: readonly string[] = []) {
  const flaws = parseFlawArgs(args);
  return { run: (job: Job, opts: { signal: AbortSignal; log: (line: string) => void }) => runReference(job, { ...opts, flaws }) };
}
