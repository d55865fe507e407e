import type { EventLog } from '../../servers/shared/events.js';

/**
 * After the client is gone, waits until the server side has recorded the end
 * of every connection (the last evidence to arrive), or `capMs` at most. A
 * client that exited has closed its sockets, so this is usually immediate.
 */
export function settle(log: EventLog, capMs: number): Promise<void> {
  const open = (): number => log.events.filter((e) => e.type === 'connect').length - log.events.filter((e) => e.type === 'close').length;
  if (open() <= 0) return Promise.resolve();
  return new Promise((resolve) => {
    const done = (): void => {
      clearTimeout(timer);
      unsubscribe();
      resolve();
    };
    const timer = setTimeout(done, capMs);
    const unsubscribe = log.subscribe((e) => {
      if (e.type === 'close' && open() <= 0) done();
    });
  });
}
