import { describe, expect, it } from 'vitest';
import { EventLog } from '../../servers/shared/events.js';
import { settle } from './settle.js';

/** A log with one connection still open. */
function openConnection(): { log: EventLog; conn: number } {
  const log = new EventLog();
  const conn = log.connection();
  log.record('smtp', 'connect', { remote: '127.0.0.1:1' }, conn);
  return { log, conn };
}

async function timed(p: Promise<void>): Promise<number> {
  const started = performance.now();
  await p;
  return performance.now() - started;
}

describe('settle', () => {
  it('resolves at once when every connection has closed', async () => {
    const { log, conn } = openConnection();
    log.record('smtp', 'close', { by: 'client' }, conn);
    expect(await timed(settle(log, 250))).toBeLessThan(20);
  });

  it('resolves when the last close arrives', async () => {
    const { log, conn } = openConnection();
    setTimeout(() => log.record('smtp', 'close', { by: 'client' }, conn), 30);
    const ms = await timed(settle(log, 250));
    expect(ms).toBeGreaterThanOrEqual(25);
    expect(ms).toBeLessThan(200);
  });

  it('gives a client with no connection on record a moment for a late one, then waits for it to close', async () => {
    const log = new EventLog();
    expect(await timed(settle(log, 250))).toBeGreaterThanOrEqual(45);
    const late = new EventLog();
    const conn = late.connection();
    setTimeout(() => late.record('smtp', 'connect', { remote: '127.0.0.1:1' }, conn), 10);
    setTimeout(() => late.record('smtp', 'close', { by: 'client' }, conn), 80);
    expect(await timed(settle(late, 250))).toBeGreaterThanOrEqual(75);
  });

  it('waits up to the cap for a client process whose connection stays open', async () => {
    const { log } = openConnection();
    expect(await timed(settle(log, 120))).toBeGreaterThanOrEqual(115);
  });

  it('for an in-process client, stops once the log has been quiet, and keeps waiting while events arrive', async () => {
    const { log, conn } = openConnection();
    expect(await timed(settle(log, 500, 25))).toBeLessThan(200);
    // Events 20 ms apart keep it waiting past the quiet time until they stop.
    let n = 0;
    const ticker = setInterval(() => {
      log.record('smtp', 'command', { layer: 'plaintext', verb: 'NOOP', args: '', raw: 'NOOP' }, conn);
      if (++n === 5) clearInterval(ticker);
    }, 15);
    expect(await timed(settle(log, 500, 25))).toBeGreaterThanOrEqual(75);
  });
});
