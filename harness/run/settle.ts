import type { EventLog } from '../../servers/shared/events.js';

/**
 * After the client is gone, waits until the server side has recorded the end
 * of every connection (the last evidence to arrive), or `capMs` at most. A
 * client that exited has closed its sockets, so this is usually immediate.
 */
export async function settle(log: EventLog, capMs: number): Promise<void> {
  const deadline = performance.now() + capMs;
  while (performance.now() < deadline) {
    const open = log.events.filter((e) => e.type === 'connect').length - log.events.filter((e) => e.type === 'close').length;
    if (open <= 0) return;
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}
