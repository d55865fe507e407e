// Child process of the bench: times generateAll() in a fresh Node process, so
// that module loading counts as it does for a user's first run. Prints one
// JSON line (CertsChildReport) on stdout. Usage: node certs-child.js DIR
import { writeSync } from 'node:fs';

export interface CertsChildReport {
  /** Node's own start-up, before this module ran (performance.now() at entry). */
  bootMs: number;
  /** Loading certs/index.js and what it imports statically. */
  importMs: number;
  /** generateAll() as it measures itself (includes its lazy generator import when it must generate). */
  generateMs: number;
  /** importMs + generateMs: the figure judged against the targets. */
  totalMs: number;
  profiles: number;
  generated: number;
}

const dir = process.argv[2];
if (!dir) throw new Error('usage: certs-child.js DIR');
const entered = performance.now();
const { generateAll } = await import('../../certs/index.js');
const imported = performance.now();
const result = await generateAll({ dir });
const done = performance.now();
const report: CertsChildReport = {
  bootMs: entered,
  importMs: imported - entered,
  generateMs: result.ms,
  totalMs: done - entered,
  profiles: Object.keys(result.certs).length,
  generated: result.generated.length,
};
writeSync(1, `${JSON.stringify(report)}\n`);
