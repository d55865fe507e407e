/** Writes docs/cases.md and docs/suite-format.md (`npm run docs`). */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { loadCatalogue } from '../harness/conform.js';
import { casesMarkdown, suiteFormatMarkdown } from './docs.js';
import { SCHEMA_PROTOCOLS } from './json-schema.js';

const docs = join(
  new URL('.', import.meta.url).pathname,
  import.meta.url.includes('/dist/') ? '../../docs' : '../docs',
);
await writeFile(join(docs, 'cases.md'), casesMarkdown(await loadCatalogue()));
await writeFile(join(docs, 'suite-format.md'), suiteFormatMarkdown(SCHEMA_PROTOCOLS));
process.stdout.write(`wrote ${join(docs, 'cases.md')} and ${join(docs, 'suite-format.md')}\n`);
