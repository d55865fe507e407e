import { mkdir, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { ClientInfo, Reporter, SelectionInfo } from './reporter.js';

/**
 * Machine-readable results: the summary and every CaseResult, events included
 * (what `merge` reads). Beside them, what merge checks shards against: the
 * selection with its shard, the start, the clients with their versions.
 */
export function jsonReporter(file: string): Reporter {
  let startedAt: string | undefined;
  let selection: SelectionInfo | undefined;
  let clients: ClientInfo[] | undefined;
  return {
    name: 'json',
    onBegin(info) {
      startedAt = info.startedAt.toISOString();
      selection = info.selection;
      clients = info.clientInfo ?? info.clients.map((label) => ({ label }));
    },
    async onEnd(results, summary) {
      await mkdir(dirname(file), { recursive: true });
      const data = {
        version: 1,
        strict: summary.strict,
        ...(startedAt ? { startedAt } : {}),
        ...(selection ? { selection } : {}),
        ...(clients ? { clients } : {}),
        summary,
        results,
      };
      // Compact: indenting added a quarter to the file (about 0.9 MB for the catalogue) and to the time to write it.
      await writeFile(file, `${JSON.stringify(data)}\n`);
    },
  };
}
