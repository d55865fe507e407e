/**
 * Runs `handler` once the job's deadline aborts `signal`, or right away (in a
 * microtask) if it already has: a wait that begins after the deadline passed,
 * as one begun just after a file was read can, must end too, and an abort
 * event does not come twice. Returns the function that stops listening.
 */
export function whenAborted(signal: AbortSignal, handler: () => void): () => void {
  if (signal.aborted) {
    let stopped = false;
    queueMicrotask(() => stopped || handler());
    return () => {
      stopped = true;
    };
  }
  signal.addEventListener('abort', handler, { once: true });
  return () => signal.removeEventListener('abort', handler);
}
