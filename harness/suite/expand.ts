import type { CaseSource } from './case-schema.js';

type Value = string | number | boolean;

/** Every combination of the matrix's values, in a stable order. */
export function combinations(matrix: Record<string, Value[]>): Record<string, Value>[] {
  let out: Record<string, Value>[] = [{}];
  for (const [name, values] of Object.entries(matrix)) {
    out = out.flatMap((partial) => values.map((v) => ({ ...partial, [name]: v })));
  }
  return out;
}

/**
 * Replaces `${name}` in every string of a value. A string that is exactly one
 * placeholder takes the variable's own type (so numbers stay numbers).
 */
export function substitute<T>(value: T, vars: Record<string, Value>): T {
  if (typeof value === 'string') {
    const whole = /^\$\{([a-zA-Z0-9]+)\}$/.exec(value);
    if (whole && whole[1]! in vars) return vars[whole[1]!] as T;
    return value.replace(/\$\{([a-zA-Z0-9]+)\}/g, (m, name: string) => (name in vars ? String(vars[name]) : m)) as T;
  }
  if (Array.isArray(value)) return value.map((v) => substitute(v, vars)) as T;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, substitute(v, vars)])) as T;
  }
  return value;
}

/** One case per matrix combination (or the case itself when it has no matrix). */
export function expandCase(source: CaseSource): { vars: Record<string, Value>; source: Omit<CaseSource, 'matrix'> }[] {
  const { matrix, ...rest } = source;
  if (!matrix) return [{ vars: {}, source: rest }];
  return combinations(matrix).map((vars) => ({ vars, source: substitute(rest, vars) }));
}
