import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogue } from '../harness/conform.js';
import { casesMarkdown, suiteFormatMarkdown } from '../scripts/docs.js';
import { SCHEMA_PROTOCOLS } from '../scripts/json-schema.js';

const docs = join(import.meta.dirname, '../docs');

describe('generated docs are current (run `npm run docs` after changing suites or schemas)', () => {
  it('docs/cases.md lists the catalogue', async () => {
    expect(await readFile(join(docs, 'cases.md'), 'utf8')).toBe(casesMarkdown(await loadCatalogue()));
  });

  it('docs/suite-format.md describes the schema', async () => {
    expect(await readFile(join(docs, 'suite-format.md'), 'utf8')).toBe(suiteFormatMarkdown(SCHEMA_PROTOCOLS));
  });
});
