#!/usr/bin/env node
/** The reference client as a process: reads the job from CONFORM_* and exits as docs/contract.md says. */
import { jobFromEnv } from '../../contract/job.js';
import { referenceClient } from './index.js';

let client;
try {
  client = referenceClient(process.argv.slice(2));
} catch (err) {
  process.stderr.write(`reference: ${(err as Error).message}\n`);
  process.exit(2);
}
const code = await client.run(jobFromEnv(process.env), {
  signal: new AbortController().signal,
  log: (line) => process.stderr.write(`${line}\n`),
});
process.exit(code);
