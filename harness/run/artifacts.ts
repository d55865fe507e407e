import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { transcript } from '../report/transcript.js';
import { buildPcap } from '../report/pcap.js';
import type { Capture } from '../../servers/shared/capture.js';
import type { CaseResult } from './result.js';

/**
 * Keeps a case's evidence under `<dir>/<case id>/`: the transcript, the events
 * as JSON, the TLS key log in NSS format (Wireshark's "(Pre)-Master-Secret log
 * filename") and a packet capture rebuilt from what the servers' sockets
 * carried, which Wireshark decrypts with that key log.
 */
export async function writeCaseArtifacts(dir: string, result: CaseResult, keylog: string[], capture?: Capture): Promise<string> {
  const folder = join(dir, result.id);
  await mkdir(folder, { recursive: true });
  await Promise.all([
    writeFile(join(folder, 'transcript.txt'), `${transcript(result.events, Infinity)}\n`),
    writeFile(join(folder, 'events.json'), `${JSON.stringify(result.events, null, 1)}\n`),
    writeFile(join(folder, 'keylog.txt'), keylog.length ? `${keylog.join('\n')}\n` : ''),
    ...(capture ? [writeFile(join(folder, 'capture.pcap'), buildPcap(capture))] : []),
  ]);
  return folder;
}
