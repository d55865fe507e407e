/**
 * What Conform's Node client wrappers share (as conform_common.py does for the
 * Python ones): the exit-status convention of docs/contract.md and the job's deadline.
 */

/** Exits 89: this client cannot do what the case asks. */
export function unsupported(why) {
  console.error(`unsupported: ${why}`);
  process.exit(89);
}

/**
 * The libraries' own timeouts bound each wait, not the job: the whole job is
 * bounded here, from the process's start (loading Node and the library is part
 * of the client's time). Returns CONFORM_TIMEOUT_MS and the timer, so a wrapper
 * that finishes can clear it.
 */
export function startDeadline(env) {
  const timeout = Number(env.CONFORM_TIMEOUT_MS) || 5000;
  const timer = setTimeout(
    () => {
      console.error('CONFORM_TIMEOUT_MS elapsed');
      process.exit(1);
    },
    Math.max(100, timeout - 150 - performance.now()),
  );
  return { timeout, timer };
}
