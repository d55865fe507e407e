import { cpus } from 'node:os';

/** Cases run at once unless `--workers` says otherwise: clients mostly wait on sockets, so twice the cores. */
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
