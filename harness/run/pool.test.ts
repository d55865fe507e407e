import { describe, expect, it } from 'vitest';
import { runAdaptive } from './pool.js';

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Tasks that wait `ms` each, recording how many run at once. */
function waiting(ms: number) {
  let running = 0;
  let peak = 0;
  const started: number[] = [];
  const task = async (i: number): Promise<number> => {
    started.push(i);
    peak = Math.max(peak, ++running);
    await sleep(ms);
    running--;
    return i * 10;
  };
  return { task, peak: () => peak, started };
}

describe('runAdaptive', () => {
  it('on an idle machine admits waiting tasks past the minimum, up to the ceiling, results in the items\' order', async () => {
    const w = waiting(150);
    const items = Array.from({ length: 12 }, (_, i) => i);
    const done: number[] = [];
    const results = await runAdaptive(items, w.task, (r) => done.push(r), { min: 2, max: 8, tickMs: 5, idleAbove: 0.3, probe: { idle: () => 1 } });
    expect(results).toEqual(items.map((i) => i * 10));
    expect(done.sort((a, b) => a - b)).toEqual(results);
    expect(w.peak()).toBe(8);
  });

  it('on a busy machine keeps to the minimum', async () => {
    const w = waiting(20);
    await runAdaptive(Array.from({ length: 8 }, (_, i) => i), w.task, () => undefined, { min: 2, max: 8, tickMs: 5, idleAbove: 0.3, probe: { idle: () => 0.1 } });
    expect(w.peak()).toBe(2);
  });

  it('starts the items with the highest priority first', async () => {
    const w = waiting(5);
    const waits = new Set([5, 7]);
    await runAdaptive([1, 2, 3, 4, 5, 6, 7], w.task, () => undefined, { min: 1, max: 1, tickMs: 5, idleAbove: 0.3, probe: { idle: () => 0 }, priority: ((i: number) => (waits.has(i) ? 1 : 0)) as (i: never) => number });
    expect(w.started).toEqual([5, 7, 1, 2, 3, 4, 6]);
  });

  it('rejects with the first task that throws, and resolves at once with nothing to do', async () => {
    await expect(runAdaptive([1, 2], async (i) => {
      if (i === 2) throw new Error('boom');
      return i;
    }, () => undefined, { min: 2, max: 2, tickMs: 5, idleAbove: 0.3, probe: { idle: () => 0 } })).rejects.toThrow('boom');
    await expect(runAdaptive([], async () => 1, () => undefined)).resolves.toEqual([]);
  });
});
