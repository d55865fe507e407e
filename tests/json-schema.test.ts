import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSuitesDir } from '../harness/suite/load.js';
import { SCHEMA_PROTOCOLS, suiteJsonSchema } from '../scripts/json-schema.js';

describe('editor JSON Schemas', () => {
  it.each(SCHEMA_PROTOCOLS)(
    'suites/%s.schema.json is current (run `npm run schema` after changing a schema)',
    async (protocol) => {
      const committed = JSON.parse(await readFile(join(defaultSuitesDir(), `${protocol}.schema.json`), 'utf8'));
      expect(committed).toEqual(suiteJsonSchema(protocol));
    },
  );
});
