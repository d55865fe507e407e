import type { z } from 'zod';
import { UsageError } from '../errors.js';
import type { Protocol } from '../protocols.js';
import { isProtocol, PROTOCOL_NAMES, PROTOCOLS } from '../protocols.js';
import { SuiteFileSchema, type CaseSource } from './case-schema.js';
import type { Case } from './case.js';
import { expandCase } from './expand.js';
import { YamlSource } from './source-map.js';
import { defaultSuitesDir, readSuiteFiles, type SuiteFile } from './files.js';
import type { InvariantName } from './expectations-schema.js';

export interface SuiteProblem {
  file: string;
  line: number;
  caseId?: string;
  field?: string;
  message: string;
}

/** Renders problems as `file:line: case X: field Y: message`, one per line. */
export function formatProblems(problems: SuiteProblem[]): string {
  return problems
    .map(
      (p) =>
        `${p.file}:${p.line}: ${p.caseId ? `case ${p.caseId}: ` : ''}${p.field ? `field ${p.field}: ` : ''}${p.message}`,
    )
    .join('\n');
}

export function fieldPath(path: readonly PropertyKey[]): string {
  return path
    .map((k) => (typeof k === 'number' ? `[${k}]` : `.${String(k)}`))
    .join('')
    .replace(/^\./, '');
}

/** Parses and validates one suite file; returns its expanded cases or its problems. */
export function parseSuite(
  file: string,
  text: string,
  protocol: Protocol,
  displayName = file,
): { cases: Case[]; problems: SuiteProblem[] } {
  const yaml = new YamlSource(displayName, text);
  const syntax = yaml.syntaxErrors();
  if (syntax.length)
    return {
      cases: [],
      problems: syntax.map((e) => ({ file: displayName, line: e.line, message: `YAML syntax: ${e.message}` })),
    };
  const tags = yaml.tagErrors();
  if (tags.length)
    return { cases: [], problems: tags.map((e) => ({ file: displayName, line: e.line, message: e.message })) };
  const js = yaml.toJS();
  if ('error' in js)
    return { cases: [], problems: [{ file: displayName, line: js.error.line, message: `YAML: ${js.error.message}` }] };
  return validateRaw(yaml, js.value, protocol);
}

/** Validates and expands cases already read from YAML; `yaml` names the file and the line of a path (templates.ts maps its instances' paths). */
export function validateRaw(
  yaml: Pick<YamlSource, 'file' | 'lineOf'>,
  raw: unknown,
  protocol: Protocol,
): { cases: Case[]; problems: SuiteProblem[] } {
  const displayName = yaml.file;
  const parsed = SuiteFileSchema.safeParse(raw);
  const idAt = (i: unknown): string | undefined => {
    const item = Array.isArray(raw) && typeof i === 'number' ? (raw[i] as { id?: unknown } | undefined) : undefined;
    return typeof item?.id === 'string' ? item.id : undefined;
  };
  if (!parsed.success) {
    return {
      cases: [],
      problems: parsed.error.issues
        .map(explainIssue)
        .map((issue) => toProblem(yaml, issue.path, issue.message, idAt(issue.path[0]))),
    };
  }
  const def = PROTOCOLS[protocol];
  const cases: Case[] = [];
  const problems: SuiteProblem[] = [];
  parsed.data.forEach((source: CaseSource, index) => {
    for (const { source: expanded } of expandCase(source)) {
      const options = def.optionsSchema.safeParse(expanded.server);
      if (!options.success) {
        for (const issue of (options.error as z.ZodError).issues.map(explainIssue)) {
          problems.push(toProblem(yaml, [index, 'server', ...issue.path], issue.message, expanded.id));
        }
        continue;
      }
      cases.push({
        id: expanded.id,
        title: expanded.title,
        level: expanded.level,
        refs: expanded.refs,
        ...(expanded.description ? { description: expanded.description } : {}),
        protocol,
        server: options.data,
        job: expanded.job,
        expect: expanded.expect,
        allow: expanded.allow as InvariantName[],
        ...(expanded.reach ? { reach: expanded.reach } : {}),
        ...(expanded.witnesses
          ? { witnesses: { pass: expanded.witnesses.pass, fail: [expanded.witnesses.fail].flat() } }
          : {}),
        source: { file: displayName, line: yaml.lineOf([index]) },
      });
    }
  });
  return { cases, problems };
}

/**
 * A union that matched no branch says only "Invalid input"; report instead the
 * branch that got furthest (the deepest path), which names the real field.
 */
export function explainIssue(issue: z.core.$ZodIssue): { path: PropertyKey[]; message: string } {
  if (issue.code !== 'invalid_union' || !issue.errors.length) return { path: [...issue.path], message: issue.message };
  const branches = issue.errors.map((branch) =>
    branch.map((i) => explainIssue({ ...i, path: [...issue.path, ...i.path] } as z.core.$ZodIssue)),
  );
  // A branch of another shape (a key it does not know, one it misses) says little; one whose shape fits names the real mistake.
  const misfit = (i: { message: string }): boolean => /Unrecognized key|received undefined/.test(i.message);
  const fitting = branches.filter((b) => b.length && !b.some(misfit));
  const best = (fitting.length ? fitting : branches)
    .map((b) => b.reduce((deepest, i) => (i.path.length > deepest.path.length ? i : deepest), b[0]!))
    .filter((i) => !/Unrecognized key/.test(i.message) || branches.length === 1)
    .sort((a, b) => b.path.length - a.path.length)[0];
  if (!best || best.path.length <= issue.path.length) {
    return { path: [...issue.path], message: 'not one of the known forms (see suites/case.schema.json)' };
  }
  return best;
}

function toProblem(
  yaml: Pick<YamlSource, 'file' | 'lineOf'>,
  path: readonly PropertyKey[],
  message: string,
  caseId: string | undefined,
): SuiteProblem {
  const field = fieldPath(path.slice(1));
  return {
    file: yaml.file,
    line: yaml.lineOf(path),
    ...(caseId ? { caseId } : {}),
    ...(field ? { field } : {}),
    message,
  };
}

export { defaultSuitesDir };

/**
 * Parses and validates suite files already read. Any problem in any file is a
 * usage error naming file, line, case and field, and nothing runs.
 */
export function validateSuites(files: readonly SuiteFile[]): Case[] {
  const cases: Case[] = [];
  const problems: SuiteProblem[] = [];
  for (const f of files) {
    if (!isProtocol(f.protocol)) {
      problems.push({
        file: f.displayName,
        line: 1,
        message: `suites/${f.protocol}/: no protocol "${f.protocol}" (a suite folder is named after one of ${PROTOCOL_NAMES.join(', ')})`,
      });
      continue;
    }
    const result = parseSuite(f.path, f.text, f.protocol, f.displayName);
    cases.push(...result.cases);
    problems.push(...result.problems);
  }
  if (problems.length) throw new UsageError('SUITE_INVALID', `invalid suite file(s):\n${formatProblems(problems)}`);
  return cases;
}

/** Reads and validates every `suites/<protocol>/*.yaml` (no cache: see catalogue.ts for that). */
export async function loadSuites(dir = defaultSuitesDir()): Promise<Case[]> {
  return validateSuites(await readSuiteFiles(dir));
}
