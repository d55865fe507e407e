/** Writes suites/<protocol>.schema.json (`npm run schema`); a test keeps them current. */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { defaultSuitesDir } from '../harness/suite/load.js';
import { SCHEMA_PROTOCOLS, suiteJsonSchema } from './json-schema.js';

for (const protocol of SCHEMA_PROTOCOLS) {
  const file = join(defaultSuitesDir(), `${protocol}.schema.json`);
  await writeFile(file, `${JSON.stringify(suiteJsonSchema(protocol), null, 2)}\n`);
  process.stdout.write(`wrote ${file}\n`);
}
