/**
 * `npm run fuzz`: every protocol machine fed at least 100,000 generated inputs
 * (fast-check, seeded, so a failure reproduces with the seed it prints), then a
 * socket-level campaign against the real servers. Nothing may throw, and the
 * servers must stay up.
 *
 *   npm run fuzz -- --runs 100000 --seed 42
 */
import fc from 'fast-check';
import { TARGETS } from './fuzz/targets.js';
import { socketCampaign } from './fuzz/sockets.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 && process.argv[i + 1] ? process.argv[i + 1]! : fallback;
}

const numRuns = Number(arg('runs', '100000'));
const seed = Number(arg('seed', String(Date.now() % 2 ** 31)));
let failed = 0;
process.stdout.write(`fuzzing with seed ${seed}, ${numRuns} inputs per target\n`);
for (const target of TARGETS) {
  const started = performance.now();
  const result = fc.check(target.property, { numRuns, seed });
  const ms = Math.round(performance.now() - started);
  if (result.failed) {
    failed++;
    process.stdout.write(`✗ ${target.protocol}: ${target.name} — ${fc.defaultReportMessage(result)}\n`);
  } else {
    process.stdout.write(`✓ ${target.protocol}: ${target.name} — ${result.numRuns} inputs in ${ms} ms\n`);
  }
}
/** Heap in use once garbage is collected (npm run fuzz passes --expose-gc): what the servers retain, not what awaits collection. */
function liveHeapMiB(): number {
  (globalThis as { gc?: () => void }).gc?.();
  return Math.round(process.memoryUsage().heapUsed / 2 ** 20);
}
const heapBefore = liveHeapMiB();
const sockets = await socketCampaign();
for (const line of sockets.lines) process.stdout.write(`${line}\n`);
failed += sockets.failures;
process.stdout.write(
  `heap after the socket campaign${(globalThis as { gc?: unknown }).gc ? ', collected' : ''}: ${liveHeapMiB()} MiB (before: ${heapBefore} MiB)\n`,
);
process.exitCode = failed ? 1 : 0;
