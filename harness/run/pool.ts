import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';

/** Cases run at once with `--workers`' old default; the adaptive scheduler starts from the cores. */
export const DEFAULT_WORKERS = Math.max(2, cpus().length * 2);

/** Runs `task` over `items` with at most `workers` at once, calling `onDone` in completion order. */
export async function runPool<T, R>(
  items: readonly T[],
  workers: number,
  task: (item: T) => Promise<R>,
  onDone: (result: R, item: T) => void,
): Promise<R[]> {
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
    // /proc/stat's first line sums every core, read on each tick: os.cpus() builds an object per core with its model name.
    try {
      const [user, nice, sys, idle, iowait, irq, softirq, steal] = readFileSync('/proc/stat', 'latin1')
        .slice(5, 200)
        .trim()
        .split(/\s+/, 8)
        .map(Number);
      return { idle: idle! + iowait!, total: user! + nice! + sys! + idle! + iowait! + irq! + softirq! + steal! };
    } catch {
      let idle = 0;
      let total = 0;
      for (const c of cpus()) {
        idle += c.times.idle;
        total += c.times.idle + c.times.user + c.times.nice + c.times.sys + c.times.irq;
      }
      return { idle, total };
    }
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
  /** Working cases always running (the cores: working cases keep them busy). */
  min: number;
  /** Never more working cases at once (sockets, file descriptors, client processes). */
  max: number;
  /** How often the idle share is read and the number of working cases adjusted. */
  tickMs: number;
  /** Raise the number of working cases while the machine is idler than this. */
  idleAbove: number;
  /** Lower it while the machine is busier than this (less idle): the neighbour's load, or our own overshoot. */
  idleBelow?: number;
  probe?: { idle(): number };
  /** Items with a higher priority start first. */
  priority?: (item: never) => number;
  /**
   * Items known to wait (a server that stalls, a peer that never connects):
   * they start at once, first, up to `maxWaiting`, and take no working slot,
   * since they hold no core while they wait.
   */
  waits?: (item: never) => boolean;
  /** Waiting items at once (each holds a server and a client). Default `max`. */
  maxWaiting?: number;
  /**
   * Waiting items started per tick (and at the start). Started all at once,
   * forty of them would share the cores and each reach its wait only when all
   * had; paced, each gets there about as fast as alone, well within its time
   * limit even on a loaded machine. Default: no limit.
   */
  waitBatch?: number;
}

/**
 * When any pool of this process last raised its number of working cases on
 * an idle reading: several pools side by side (a test running clients at
 * once) read the same idle machine, and without this each would add its own
 * batch on the same reading and overshoot together.
 */
let lastAdmission = 0;

export const ADAPTIVE_DEFAULTS: AdaptiveOptions = {
  min: Math.max(2, cpus().length),
  max: 32,
  tickMs: 25,
  idleAbove: 0.1,
  idleBelow: 0.03,
  maxWaiting: 64,
  waitBatch: 4,
};

/**
 * Runs `task` over `items` knowing waiting from working. Items known to wait
 * (`waits`) all start first and overlap. The others keep a number of working
 * cases running, from `min` up: each tick on which the machine sits idle (a
 * case waiting on its client, a settle, a time limit) raises it by about one
 * per idle core, up to `max`; each tick on which the machine is saturated (a
 * noisy neighbour included) lowers it by a quarter of what it has above
 * `min`, so a busy machine gets no more than it can take. A finished case is
 * replaced at once while the number is not exceeded.
 */
export function runAdaptive<T, R>(
  items: readonly T[],
  task: (item: T) => Promise<R>,
  onDone: (result: R, item: T) => void,
  opts: AdaptiveOptions = ADAPTIVE_DEFAULTS,
): Promise<R[]> {
  const results: R[] = new Array(items.length);
  if (!items.length) return Promise.resolve(results);
  const probe = opts.probe ?? new IdleProbe();
  const priority = opts.priority as ((item: T) => number) | undefined;
  const waits = opts.waits as ((item: T) => boolean) | undefined;
  const maxWaiting = opts.maxWaiting ?? opts.max;
  const idleBelow = opts.idleBelow ?? 0;
  // Launch order; results keep the items' own order.
  const order = items.map((_, i) => i);
  if (priority) {
    const rank = items.map((item) => priority(item));
    order.sort((a, b) => rank[b]! - rank[a]! || a - b);
  }
  const waitQueue = waits ? order.filter((i) => waits(items[i]!)) : [];
  const workQueue = waits ? order.filter((i) => !waits(items[i]!)) : order;
  const waitBatch = opts.waitBatch ?? Number.POSITIVE_INFINITY;
  /** Waiting items that may still start before the next tick. */
  let waitBudget = waitBatch;
  let waiting = 0;
  let working = 0;
  let target = opts.min;
  let remaining = items.length;
  return new Promise((resolve, reject) => {
    let failed = false;
    const launch = (i: number, waitItem: boolean): void => {
      if (waitItem) waiting++;
      else working++;
      task(items[i]!).then(
        (result) => {
          results[i] = result;
          if (waitItem) waiting--;
          else working--;
          remaining--;
          onDone(result, items[i]!);
          pump();
        },
        (err: unknown) => {
          failed = true;
          clearInterval(timer);
          reject(err);
        },
      );
    };
    const pump = (): void => {
      if (failed) return;
      while (waitQueue.length && waiting < maxWaiting && waitBudget > 0) {
        waitBudget--;
        launch(waitQueue.shift()!, true);
      }
      while (workQueue.length && working < target) launch(workQueue.shift()!, false);
      if (remaining === 0) {
        clearInterval(timer);
        resolve(results);
      }
    };
    const timer = setInterval(() => {
      if (failed) return;
      const idle = probe.idle();
      // A waiting item holds no core once it waits, but its client's start-up does (a Python
      // start is ~0.1 s of CPU): forty start-ups at once share the cores and each client outlives
      // its time limit. So a batch starts only on an idle machine, one on a busy one, and on a
      // saturated one no more than keep `min` of ours running.
      waitBudget =
        idle < idleBelow
          ? Math.min(waitBatch, Math.max(0, opts.min - working - waiting))
          : idle <= opts.idleAbove
            ? 1
            : waitBatch;
      if (waitQueue.length) pump();
      if (!workQueue.length) return;
      if (idle < idleBelow) {
        // Saturated: shed a quarter of the extra working cases (as they finish; none is stopped).
        target = Math.max(opts.min, target - Math.max(1, Math.floor((target - opts.min) / 4)));
        return;
      }
      if (idle <= opts.idleAbove || target >= opts.max || working < target) return;
      // One raise per tick across the process, so each reading sees the load the last one added.
      if (performance.now() - lastAdmission < opts.tickMs) return;
      lastAdmission = performance.now();
      // The idler the machine, the more cases start: about one per idle core per tick.
      target = Math.min(opts.max, target + Math.ceil(idle * opts.min));
      pump();
    }, opts.tickMs);
    pump();
  });
}
