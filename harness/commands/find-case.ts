import { UsageError } from '../errors.js';
import type { Case } from '../suite/case.js';

/** Finds a case by exact id, or says which ids come close. */
export function findCase(cases: Case[], id: string): Case {
  const found = cases.find((c) => c.id === id);
  if (found) return found;
  const near = cases.filter((c) => c.id.includes(id) || id.includes(c.id.split('.').slice(0, 2).join('.'))).slice(0, 8);
  throw new UsageError(
    'UNKNOWN_CASE',
    `no case "${id}"${near.length ? `; did you mean:\n${near.map((c) => `  ${c.id}`).join('\n')}` : ' (see `conform list`)'}`,
  );
}
