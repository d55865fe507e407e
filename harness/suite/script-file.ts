/**
 * A script written on its own, for `serve --protocol P --script FILE`: a person
 * reproduces a bug report against their client without writing a suite. The
 * file holds the rules (a YAML list), or server options with a `script:` list
 * beside them; it is validated as a suite's `server:` block would be, and an
 * error names the file, line, rule and field.
 */
import { readFile } from 'node:fs/promises';
import type { z } from 'zod';
import { UsageError } from '../errors.js';
import type { Protocol } from '../protocols.js';
import { PROTOCOLS } from '../protocols.js';
import type { Case } from './case.js';
import { JobSpecSchema } from './case-schema.js';
import { explainIssue, fieldPath, formatProblems } from './load.js';
import { YamlSource } from './source-map.js';

export async function loadScriptCase(file: string, protocol: Protocol): Promise<Case> {
  const def = PROTOCOLS[protocol];
  const defaults = (def.optionsSchema as z.ZodType).safeParse({});
  if (!defaults.success || !('script' in (defaults.data as object)))
    throw new UsageError(
      'BAD_FLAG',
      `--script: the ${protocol} server takes no script yet (scripts work on: ${scriptProtocols().join(', ')})`,
    );
  const text = await readFile(file, 'utf8').catch((err: Error) => {
    throw new UsageError('BAD_FLAG', `--script ${file}: ${err.message}`);
  });
  const yaml = new YamlSource(file, text);
  const early = [...yaml.syntaxErrors(), ...yaml.tagErrors()];
  if (early.length)
    throw new UsageError(
      'SUITE_SYNTAX',
      formatProblems(early.map((e) => ({ file, line: e.line, message: e.message }))),
    );
  const parsed = yaml.toJS();
  if ('error' in parsed) throw new UsageError('SUITE_SYNTAX', formatProblems([{ file, ...parsed.error }]));
  // A bare list is the rules; a map is server options holding them.
  const bare = Array.isArray(parsed.value);
  const options = bare ? { script: parsed.value } : parsed.value;
  if (!bare && !(options && typeof options === 'object' && 'script' in options)) {
    throw new UsageError(
      'SUITE_INVALID',
      `${file}:1: a script file is a list of rules, or server options with a script: list`,
    );
  }
  const result = (def.optionsSchema as z.ZodType).safeParse(options);
  if (!result.success) {
    const problems = result.error.issues.map(explainIssue).map((issue) => {
      const path = bare ? issue.path.slice(1) : issue.path;
      const rule = issue.path[0] === 'script' ? Number(issue.path[1] ?? NaN) : NaN;
      return {
        file,
        line: yaml.lineOf(path),
        field: fieldPath(issue.path),
        message: `${Number.isInteger(rule) ? `rule ${rule + 1}: ` : ''}${issue.message}`,
      };
    });
    throw new UsageError('SUITE_INVALID', `invalid script file:\n${formatProblems(problems)}`);
  }
  return {
    id: `${protocol}.script.adhoc`,
    title: `ad hoc script ${file}`,
    level: 'info',
    refs: [file],
    protocol,
    server: result.data,
    job: JobSpecSchema.parse({}),
    expect: [],
    allow: [],
    source: { file, line: 1 },
  };
}

/** Protocols whose servers run scripts. */
export function scriptProtocols(): string[] {
  return Object.entries(PROTOCOLS)
    .filter(([, def]) => {
      const parsed = (def!.optionsSchema as z.ZodType).safeParse({});
      return parsed.success && 'script' in (parsed.data as object);
    })
    .map(([name]) => name);
}
