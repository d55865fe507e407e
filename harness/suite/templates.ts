// TLS cases defined once, in suites/tls/*.yaml, and instantiated for every
// protocol that speaks TLS and every way it does (implicit TLS, or an
// upgrade: STARTTLS, STLS, AUTH TLS; SOCKS5's tunnelled TLS to its target).
//
// A template is a case whose id starts with `tls.`; it may say on which
// protocols (`protocols:`) and modes (`modes: all | first`) it applies, and
// its `expect` may hold the words `refused` and `accepted`, which each
// protocol spells out below: what "nothing of the application crossed
// inside TLS" and "the data arrived whole" mean for it. Everything else is
// an ordinary case, validated by the protocol's own schema (load.ts).
//
// The files are read with every suite file (files.ts: suites/tls/ is one more
// folder), so the catalogue's cache covers them; the validation below loads
// YAML, zod and the protocols' schemas only when the catalogue is validated.
import type { z } from 'zod';
import { PROTOCOLS, type Protocol } from '../protocols.js';
import type { ProtocolDescriptor, TlsMode } from '../../servers/shared/descriptor.js';
import type { Case } from './case.js';
import type { Expectation } from './expectations-schema.js';
import type { SuiteFile } from './files.js';
import type { SuiteProblem } from './load.js';

/** One protocol in one TLS mode (its descriptor's `tlsModes`): what an instance adds to the template. */
export interface TlsTarget extends Omit<TlsMode, 'refused' | 'accepted'> {
  protocol: Protocol;
  refused: readonly Expectation[];
  accepted: readonly Expectation[];
}

/**
 * Every protocol's TLS modes, in the registry's order, each protocol's first
 * the upgrade where there is one. The descriptors say what `refused` and
 * `accepted` mean for them; each instance is validated as any case.
 */
export const TLS_TARGETS: readonly TlsTarget[] = Object.entries(PROTOCOLS).flatMap(([protocol, d]) =>
  ((d as ProtocolDescriptor).tlsModes ?? []).map(
    (m): TlsTarget => ({
      ...m,
      protocol: protocol as Protocol,
      refused: m.refused as readonly Expectation[],
      accepted: m.accepted as readonly Expectation[],
    }),
  ),
);

const PROTOCOLS_WITH_TLS = [...new Set(TLS_TARGETS.map((t) => t.protocol))] as [Protocol, ...Protocol[]];

/** The fields a template has besides a case's. */
function templateFieldsSchema(zod: typeof z) {
  return zod
    .object({
      id: zod
        .string()
        .regex(
          /^tls\.[a-z0-9-]+\.[a-z0-9.${}-]+$/,
          'a template id is tls.<group>.<name>: each protocol puts its own name first',
        ),
      /** Only these protocols. Default: every protocol that speaks TLS. */
      protocols: zod.array(zod.enum(PROTOCOLS_WITH_TLS)).min(1).optional(),
      /** `all` (default): every TLS mode of each protocol; `first`: its first mode only (the upgrade, where there is one). */
      modes: zod.enum(['all', 'first']).default('all'),
    })
    .passthrough();
}
type TemplateFields = z.infer<ReturnType<typeof templateFieldsSchema>>;

/** The templates folder beside the protocols' folders. */
export const TEMPLATES_FOLDER = 'tls';

/** A file of suites/tls/: templates, not the cases of a protocol. */
export const isTemplateFile = (f: SuiteFile): boolean => f.protocol === TEMPLATES_FOLDER;

interface Instance {
  raw: Record<string, unknown>;
  /** Index of the template in its file. */
  index: number;
  /** For each expectation of the instance, the index of the template's expectation it comes from. */
  expectFrom: number[];
}

/** The template's instance on one target: id, title, server mode, refs and the two words spelled out. */
function instantiate(
  template: Record<string, unknown>,
  target: TlsTarget,
  index: number,
  substitute: <T>(v: T, vars: Record<string, string>) => T,
): Instance {
  const { protocols: _p, modes: _m, ...rest } = template;
  const vars = { protocol: target.protocol, mode: target.mode };
  const source = substitute(rest, vars) as Record<string, unknown>;
  const [, group, name] = /^tls\.([^.]+)\.(.+)$/.exec(String(source.id))!;
  const expect: unknown[] = [];
  const expectFrom: number[] = [];
  (Array.isArray(source.expect) ? source.expect : []).forEach((item, i) => {
    const spelled = item === 'refused' ? target.refused : item === 'accepted' ? target.accepted : [item];
    for (const e of spelled) {
      expect.push(e);
      expectFrom.push(i);
    }
  });
  const server = { ...(source.server as Record<string, unknown> | undefined), ...target.server };
  return {
    index,
    expectFrom,
    raw: {
      ...source,
      id: `${target.protocol}.${group}.${target.mode ? `${target.mode}-` : ''}${name}`,
      ...(target.label && typeof source.title === 'string' ? { title: `${source.title} (${target.label})` } : {}),
      ...(Array.isArray(source.refs) ? { refs: [...new Set([...source.refs, ...target.refs])] } : {}),
      server,
      ...(Array.isArray(source.expect) ? { expect } : {}),
    },
  };
}

/** The targets a template applies to. */
function targetsOf(fields: TemplateFields): TlsTarget[] {
  const wanted = new Set(fields.protocols ?? PROTOCOLS_WITH_TLS);
  return TLS_TARGETS.filter(
    (t, i) =>
      wanted.has(t.protocol) &&
      (fields.modes === 'all' || TLS_TARGETS.findIndex((f) => f.protocol === t.protocol) === i),
  );
}

/**
 * Every template of every file, instantiated and validated as the protocol's
 * own cases are; problems name the template file, its line, the instance and
 * the field.
 */
export async function instantiateTemplates(
  files: readonly SuiteFile[],
): Promise<{ cases: Case[]; problems: SuiteProblem[] }> {
  const [{ z: zod }, { validateRaw }, { YamlSource }, { substitute }] = await Promise.all([
    import('zod'),
    import('./load.js'),
    import('./source-map.js'),
    import('./expand.js'),
  ]);
  const TemplateFieldsSchema = templateFieldsSchema(zod);
  const cases: Case[] = [];
  const problems: SuiteProblem[] = [];
  for (const file of files) {
    const yaml = new YamlSource(file.displayName, file.text);
    const early = [...yaml.syntaxErrors(), ...yaml.tagErrors()];
    if (early.length) {
      problems.push(...early.map((e) => ({ file: file.displayName, line: e.line, message: e.message })));
      continue;
    }
    const js = yaml.toJS();
    if ('error' in js) {
      problems.push({ file: file.displayName, line: js.error.line, message: `YAML: ${js.error.message}` });
      continue;
    }
    if (!Array.isArray(js.value)) {
      problems.push({ file: file.displayName, line: 1, message: 'a template file is a list of cases' });
      continue;
    }
    const perProtocol = new Map<Protocol, Instance[]>();
    js.value.forEach((template: unknown, index) => {
      const fields = TemplateFieldsSchema.safeParse(template);
      if (!fields.success) {
        for (const issue of fields.error.issues) {
          problems.push({
            file: file.displayName,
            line: yaml.lineOf([index, ...issue.path]),
            field: issue.path.join('.'),
            message: issue.message,
          });
        }
        return;
      }
      for (const target of targetsOf(fields.data)) {
        const list = perProtocol.get(target.protocol) ?? [];
        list.push(instantiate(template as Record<string, unknown>, target, index, substitute));
        perProtocol.set(target.protocol, list);
      }
    });
    for (const [protocol, instances] of perProtocol) {
      // Paths into an instance are paths into its template, so problems name the template's lines.
      const lines = {
        file: file.displayName,
        lineOf: (path: readonly PropertyKey[]): number => {
          const instance = instances[path[0] as number];
          if (!instance) return yaml.lineOf(path);
          const [, key, item, ...deeper] = path;
          const inTemplate =
            key === 'expect' && typeof item === 'number'
              ? [key, instance.expectFrom[item] ?? item, ...deeper]
              : path.slice(1);
          return yaml.lineOf([instance.index, ...inTemplate]);
        },
      };
      const result = validateRaw(
        lines,
        instances.map((i) => i.raw),
        protocol,
      );
      cases.push(...result.cases);
      problems.push(...result.problems);
    }
  }
  return { cases, problems };
}

/** The instances of every template file, or a usage error naming each problem's file, line, case and field. */
export async function validateTemplates(files: readonly SuiteFile[]): Promise<Case[]> {
  const [{ cases, problems }, { formatProblems }, { UsageError }] = await Promise.all([
    instantiateTemplates(files),
    import('./load.js'),
    import('../errors.js'),
  ]);
  if (problems.length) throw new UsageError('SUITE_INVALID', `invalid suite file(s):\n${formatProblems(problems)}`);
  return cases;
}
