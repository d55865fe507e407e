import type { Case } from '../suite/case.js';

/** `list`: a table for people, or JSON for tools (`--format json`). */
export function formatList(cases: Case[], format: 'table' | 'json'): string {
  if (format === 'json') {
    return `${JSON.stringify(
      cases.map((c) => ({
        id: c.id,
        title: c.title,
        level: c.level,
        protocol: c.protocol,
        refs: c.refs,
        source: `${c.source.file}:${c.source.line}`,
      })),
      null,
      2,
    )}\n`;
  }
  const lines = cases.map((c) => `${c.id}\t[${c.level}]\t${c.title}\t(${c.refs.join('; ')})`);
  return `${lines.join('\n')}${lines.length ? '\n' : ''}${cases.length} case(s)\n`;
}
