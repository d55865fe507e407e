import { cpus } from 'node:os';

/** Cases run at once with `--workers`' old default; the adaptive scheduler starts from the cores. */
export const DEFAULT_WORKERS = Math.max(2, cpus().length * 2);

/** Runs `task` over `items` with at most `workers` at once, calling `onDone` in completion order. */
export async function runPool<T, R>(items: readonly T[], workers: number, task: (item: T) => Promise<R>, onDone: (result: R, item: T) => void): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) {
      const i = next++;
      const result = await task(items[i]!);
      results[i] = result;
      onDone(result, items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(workers, items.length)) }, worker));
  return results;
}

/** The machine's idle share since the last call, from the kernel's per-core counters (every process: servers, clients, others). */
export class IdleProbe {
  private last = IdleProbe.sample();

  private static sample(): { idle: number; total: number } {
    let idle = 0;
    let total = 0;
    for (const c of cpus()) {
      idle += c.times.idle;
      total += c.times.idle + c.times.user + c.times.nice + c.times.sys + c.times.irq;
    }
    return { idle, total };
  }

  idle(): number {
    const now = IdleProbe.sample();
    const total = now.total - this.last.total;
    const share = total > 0 ? (now.idle - this.last.idle) / total : 1;
    this.last = now;
    return share;
  }
}

export interface AdaptiveOptions {
  /** Always this many at once (the cores: working cases keep them busy). */
  min: number;
  /** Never more (sockets, file descriptors, client processes). */
  max: number;
  /** How often the idle share is read, and at most one case admitted. */
  tickMs: number;
  /** Admit another case while the machine is idler than this. */
  idleAbove: number;
  probe?: { idle(): number };
  /** Items with a higher priority start first (cases known to wait long: their waits overlap the rest). */
  priority?: (item: never) => number;
}

/**
 * When any pool of this process last admitted cases on an idle reading:
 * several pools side by side (a test running clients at once) read the same
 * idle machine, and without this each would add its own batch on the same
 * reading and overshoot together.
 */
let lastAdmission = 0;

export const ADAPTIVE_DEFAULTS: AdaptiveOptions = { min: Math.max(2, cpus().length), max: 32, tickMs: 40, idleAbove: 0.3 };

/**
 * Runs `task` over `items` knowing waiting from working: `min` cases always
 * run, and while the machine sits idle (cases waiting on a stall, a time
 * limit, a peer that never connects) one more is admitted per tick, up to
 * `max`. Waiting cases overlap instead of queueing behind a fixed count, and
 * a busy machine (a noisy neighbour included) gets no more than it can take.
 */
export function runAdaptive<T, R>(items: readonly T[], task: (item: T) => Promise<R>, onDone: (result: R, item: T) => void, opts: AdaptiveOptions = ADAPTIVE_DEFAULTS): Promise<R[]> {
  const results: R[] = new Array(items.length);
  if (!items.length) return Promise.resolve(results);
  const probe = opts.probe ?? new IdleProbe();
  const priority = opts.priority as ((item: T) => number) | undefined;
  // Launch order; results keep the items' own order.
  const order = items.map((_, i) => i);
  if (priority) {
    const rank = items.map((item) => priority(item));
    order.sort((a, b) => rank[b]! - rank[a]! || a - b);
  }
  let next = 0;
  let running = 0;
  return new Promise((resolve, reject) => {
    let failed = false;
    const launch = (): void => {
      const i = order[next++]!;
      running++;
      task(items[i]!).then((result) => {
        results[i] = result;
        running--;
        onDone(result, items[i]!);
        pump();
      }, (err: unknown) => {
        failed = true;
        clearInterval(timer);
        reject(err);
      });
    };
    const pump = (): void => {
      if (failed) return;
      while (next < items.length && running < opts.min) launch();
      if (next >= items.length && running === 0) {
        clearInterval(timer);
        resolve(results);
      }
    };
    const timer = setInterval(() => {
      if (failed || next >= items.length || running >= opts.max) return;
      // One admission per tick across the process, so each reading sees the load the last one added.
      if (performance.now() - lastAdmission < opts.tickMs) return;
      const idle = probe.idle();
      if (idle <= opts.idleAbove) return;
      lastAdmission = performance.now();
      // The idler the machine, the more cases start: about one per idle core per tick.
      const admit = Math.min(Math.ceil(idle * opts.min), opts.max - running, items.length - next);
      for (let k = 0; k < admit; k++) launch();
    }, opts.tickMs);
    pump();
  });
}
