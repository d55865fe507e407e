import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { transcript } from '../report/transcript.js';
import type { CaseResult } from './result.js';

/**
 * Keeps a failed case's evidence under `<dir>/<case id>/`: the transcript, the
 * events as JSON, and the TLS key log in NSS format (Wireshark's
 * "(Pre)-Master-Secret log filename") for the sessions the servers accepted.
 */
export async function writeCaseArtifacts(dir: string, result: CaseResult, keylog: string[]): Promise<string> {
  const folder = join(dir, result.id);
  await mkdir(folder, { recursive: true });
  await Promise.all([
    writeFile(join(folder, 'transcript.txt'), `${transcript(result.events, Infinity)}\n`),
    writeFile(join(folder, 'events.json'), `${JSON.stringify(result.events, null, 1)}\n`),
    writeFile(join(folder, 'keylog.txt'), keylog.length ? `${keylog.join('\n')}\n` : ''),
  ]);
  return folder;
}
