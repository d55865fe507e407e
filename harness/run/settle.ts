import type { EventLog } from '../../servers/shared/events.js';

/**
 * After the client is gone, waits until the server side has recorded the end
 * of every connection (the last evidence to arrive), or `capMs` at most. A
 * client process that exited has closed its sockets, so this is usually
 * immediate.
 *
 * An in-process client (`quietMs` given) closes nothing by returning: a
 * connection it left open would hold the wait to `capMs` for evidence that
 * cannot come, since a client that returned sends nothing more. Its last
 * bytes are already in the kernel (a write on loopback goes through at once),
 * so once no event has arrived for `quietMs` and a poll phase has passed with
 * none (timers run before pending I/O in a loop turn, so a blocked loop could
 * otherwise fire the timer ahead of bytes that arrived meanwhile), the wait is
 * over.
 */
/**
 * How long a client that ended without a connection on record is given for
 * one to arrive. On loopback the client's connect() completes on the SYN-ACK,
 * while the server's side (the final ACK that queues the connection for
 * accept) is kernel softirq work, deferred to a thread of its own on a loaded
 * machine: a client that connects and gives up at once (refusing a 256-byte
 * SOCKS5 name after connecting) could be told it never connected. Milliseconds
 * apart even under load; no passing client of the catalogue pays it (each
 * connects, and slowly enough).
 */
const LATE_CONNECT_MS = 50;

/** Resolves once the log records a connection, or after `ms`. */
function firstConnection(log: EventLog, ms: number): Promise<void> {
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, ms);
    const unsubscribe = log.subscribe((e) => void (e.type === 'connect' && done()));
  });
}

export async function settle(log: EventLog, capMs: number, quietMs?: number): Promise<void> {
  // First a poll phase, for connections whose accept is already pending.
  await new Promise((resolve) => setImmediate(resolve));
  if (!log.events.some((e) => e.type === 'connect')) await firstConnection(log, LATE_CONNECT_MS);
  let open = 0;
  for (const e of log.events) open += e.type === 'connect' ? 1 : e.type === 'close' ? -1 : 0;
  if (open <= 0) return;
  return new Promise((resolve) => {
    let last = performance.now();
    let quietTimer: NodeJS.Timeout | undefined;
    let finished = false;
    const done = (): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      clearTimeout(quietTimer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, capMs);
    const checkQuiet = (): void => {
      const left = last + quietMs! - performance.now();
      if (left > 0) {
        quietTimer = setTimeout(checkQuiet, left);
        return;
      }
      setImmediate(() => (performance.now() - last >= quietMs! ? done() : checkQuiet()));
    };
    if (quietMs !== undefined) quietTimer = setTimeout(checkQuiet, quietMs);
    const unsubscribe = log.subscribe((e) => {
      last = performance.now();
      open += e.type === 'connect' ? 1 : e.type === 'close' ? -1 : 0;
      if (open <= 0) done();
    });
  });
}
