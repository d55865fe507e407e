import type { Job } from '../../contract/job.js';
import { flawApplies, parseFlawArgs, type Flaw } from './flaws.js';
import { UNSUPPORTED } from './context.js';
import { loadReferenceProtocol } from './protocols.js';

export { FLAWS, FLAW_NAMES, parseFlawArgs, type Flaw } from './flaws.js';
export { UNSUPPORTED } from './context.js';

/**
 * The client's own deadline (CONFORM_TIMEOUT_MS, minus a margin for exiting),
 * joined with the harness's signal. A plain timer held until `dispose`, not
 * AbortSignal.timeout/any: on Node 20 those composite signals can be garbage
 * collected before they fire, and the client would then wait until killed.
 */
function deadline(job: Job, flaws: ReadonlySet<Flaw>, harness: AbortSignal): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  const onHarness = (): void => controller.abort(harness.reason);
  if (harness.aborted) onHarness();
  else harness.addEventListener('abort', onHarness, { once: true });
  const timer = flaws.has('no-timeout')
    ? undefined
    : setTimeout(() => controller.abort(new Error('CONFORM_TIMEOUT_MS elapsed')), Math.max(50, job.timeoutMs - 100));
  return {
    signal: controller.signal,
    dispose() {
      clearTimeout(timer);
      harness.removeEventListener('abort', onHarness);
    },
  };
}

export async function runReference(
  job: Job,
  opts: { signal: AbortSignal; log: (line: string) => void; flaws: ReadonlySet<Flaw> },
): Promise<number> {
  const protocol = await loadReferenceProtocol(job.protocol);
  if (!protocol) return UNSUPPORTED;
  for (const flaw of opts.flaws) {
    if (!flawApplies(flaw, job.protocol, protocol.honours)) opts.log(`flaw ${flaw} does not apply to ${job.protocol}`);
  }
  const limit = deadline(job, opts.flaws, opts.signal);
  // A server's text reaches the log (a refused greeting, a reply); its control bytes are shown
  // escaped, never passed to the terminal, where an escape sequence could restyle or spoof it.
  const log = opts.flaws.has('print-raw-server-text') ? opts.log : (line: string) => opts.log(printable(line));
  try {
    return await protocol.run(job, { ...opts, log, signal: limit.signal });
  } finally {
    limit.dispose();
  }
}

/** Control bytes but tab as \\xHH, so a log line cannot carry a terminal escape sequence. */
export function printable(line: string): string {
  return line.replace(/[\x00-\x08\x0b-\x1f\x7f-\x9f]/g, (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, '0')}`);
}

/** A module client (harness/clients/adapter.ts's ModuleClient) with the given flaws. */
export function referenceClient(args: readonly string[] = []) {
  const flaws = parseFlawArgs(args);
  return {
    run: (job: Job, opts: { signal: AbortSignal; log: (line: string) => void }) =>
      runReference(job, { ...opts, flaws }),
  };
}
