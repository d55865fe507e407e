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
  it("on an idle machine admits waiting tasks past the minimum, up to the ceiling, results in the items' order", async () => {
    const w = waiting(150);
    const items = Array.from({ length: 12 }, (_, i) => i);
    const done: number[] = [];
    const results = await runAdaptive(items, w.task, (r) => done.push(r), {
      min: 2,
      max: 8,
      tickMs: 5,
      idleAbove: 0.3,
      probe: { idle: () => 1 },
    });
    expect(results).toEqual(items.map((i) => i * 10));
    expect(done.sort((a, b) => a - b)).toEqual(results);
    expect(w.peak()).toBe(8);
  });

  it('on a busy machine keeps to the minimum', async () => {
    const w = waiting(20);
    await runAdaptive(
      Array.from({ length: 8 }, (_, i) => i),
      w.task,
      () => undefined,
      { min: 2, max: 8, tickMs: 5, idleAbove: 0.3, probe: { idle: () => 0.1 } },
    );
    expect(w.peak()).toBe(2);
  });

  it('starts the items with the highest priority first', async () => {
    const w = waiting(5);
    const waits = new Set([5, 7]);
    await runAdaptive([1, 2, 3, 4, 5, 6, 7], w.task, () => undefined, {
      min: 1,
      max: 1,
      tickMs: 5,
      idleAbove: 0.3,
      probe: { idle: () => 0 },
      priority: ((i: number) => (waits.has(i) ? 1 : 0)) as (i: never) => number,
    });
    expect(w.started).toEqual([5, 7, 1, 2, 3, 4, 6]);
  });

  it('starts every waiting item at once, beside the working ones rather than in their slots', async () => {
    const waits = new Set([6, 7, 8]);
    let working = 0;
    let peakWorking = 0;
    const started: number[] = [];
    const task = async (i: number): Promise<number> => {
      started.push(i);
      if (waits.has(i)) {
        await sleep(60);
        return i;
      }
      peakWorking = Math.max(peakWorking, ++working);
      await sleep(5);
      working--;
      return i;
    };
    const items = [1, 2, 3, 4, 5, 6, 7, 8];
    const results = await runAdaptive(items, task, () => undefined, {
      min: 2,
      max: 2,
      tickMs: 5,
      idleAbove: 0.3,
      probe: { idle: () => 0 },
      waits: ((i: number) => waits.has(i)) as (i: never) => boolean,
      maxWaiting: 8,
    });
    expect(results).toEqual(items);
    // The three waits first, then the working items two at a time while the waits go on.
    expect(started.slice(0, 5)).toEqual([6, 7, 8, 1, 2]);
    expect(peakWorking).toBe(2);
  });

  it('starts waiting items a batch per tick', async () => {
    const waits = new Set([1, 2, 3, 4, 5, 6, 7]);
    const startedAt: number[] = [];
    const t0 = performance.now();
    await runAdaptive(
      [1, 2, 3, 4, 5, 6, 7],
      async (i) => {
        startedAt[i] = performance.now() - t0;
        await sleep(5);
        return i;
      },
      () => undefined,
      {
        min: 2,
        max: 2,
        tickMs: 20,
        idleAbove: 0.3,
        probe: { idle: () => 1 },
        waits: ((i: number) => waits.has(i)) as (i: never) => boolean,
        maxWaiting: 8,
        waitBatch: 3,
      },
    );
    // Three at once, three a tick later, the last one a tick after that.
    expect(startedAt.slice(1, 4).every((t) => t < 10)).toBe(true);
    expect(startedAt.slice(4, 7).every((t) => t >= 15)).toBe(true);
    expect(startedAt[7]).toBeGreaterThanOrEqual(35);
  });

  it('starts one waiting item a tick on a busy machine, and on a saturated one only to keep the minimum running', async () => {
    const run = async (idle: number): Promise<number> => {
      let running = 0;
      let peak = 0;
      await runAdaptive(
        Array.from({ length: 12 }, (_, i) => i),
        async (i) => {
          peak = Math.max(peak, ++running);
          await sleep(60);
          running--;
          return i;
        },
        () => undefined,
        {
          min: 2,
          max: 8,
          tickMs: 10,
          idleAbove: 0.3,
          idleBelow: 0.05,
          probe: { idle: () => idle },
          waits: (() => true) as (i: never) => boolean,
          maxWaiting: 12,
          waitBatch: 4,
        },
      );
      return peak;
    };
    // Busy: the first batch, then one a tick while each waits 60 ms (about six ticks).
    const busy = await run(0.2);
    expect(busy).toBeGreaterThan(4);
    expect(busy).toBeLessThan(12);
    // Saturated: the first batch only, then none until they are fewer than the minimum.
    expect(await run(0)).toBe(4);
  });

  it('sheds working slots above the minimum while the machine is saturated', async () => {
    let idle = 1;
    let running = 0;
    /** How many ran at each start, in start order. */
    const atStart: number[] = [];
    const task = async (i: number): Promise<number> => {
      atStart.push(++running);
      await sleep(20);
      running--;
      return i;
    };
    const items = Array.from({ length: 40 }, (_, i) => i);
    // A neighbour takes the machine once the tenth item is done.
    await runAdaptive(items, task, (_r, i) => void (i === 10 && (idle = 0)), {
      min: 2,
      max: 8,
      tickMs: 5,
      idleAbove: 0.3,
      idleBelow: 0.05,
      probe: { idle: () => idle },
    });
    expect(Math.max(...atStart)).toBe(8);
    expect(atStart.slice(-10).every((n) => n <= 2)).toBe(true);
  });

  it('rejects with the first task that throws, and resolves at once with nothing to do', async () => {
    await expect(
      runAdaptive(
        [1, 2],
        async (i) => {
          if (i === 2) throw new Error('boom');
          return i;
        },
        () => undefined,
        { min: 2, max: 2, tickMs: 5, idleAbove: 0.3, probe: { idle: () => 0 } },
      ),
    ).rejects.toThrow('boom');
    await expect(
      runAdaptive(
        [],
        async () => 1,
        () => undefined,
      ),
    ).resolves.toEqual([]);
  });
});
