import { mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { transcript } from '../report/transcript.js';
import { buildPcap } from '../report/pcap.js';
import type { Capture } from '../../servers/shared/capture.js';
import type { CaseResult } from './result.js';
import { shardOf } from './select.js';

/**
 * Conform writes this file into every folder it makes under the artifacts
 * directory; only folders holding it are ever removed, so a directory of the
 * user's that happens to sit there is never touched.
 */
export const ARTIFACT_MARKER = '.conform-artifacts';

/** What a marker says: a case's folder (with its id) or a client's folder of case folders. */
type Marker = { case: string; client: string } | { client: string };

async function writeMarker(folder: string, marker: Marker): Promise<void> {
  await writeFile(
    join(folder, ARTIFACT_MARKER),
    `${JSON.stringify({ ...marker, note: 'written by conform; this folder is removed at the start of its next run' })}\n`,
  );
}

async function readMarker(folder: string): Promise<Marker | undefined> {
  try {
    return JSON.parse(await readFile(join(folder, ARTIFACT_MARKER), 'utf8')) as Marker;
  } catch {
    return undefined;
  }
}

/**
 * Keeps a case's evidence under `<dir>/<case id>/`: the transcript, the events
 * as JSON, the TLS key log in NSS format (Wireshark's "(Pre)-Master-Secret log
 * filename") and a packet capture rebuilt from what the servers' sockets
 * carried, which Wireshark decrypts with that key log.
 */
export async function writeCaseArtifacts(
  dir: string,
  result: CaseResult,
  keylog: string[],
  capture?: Capture,
): Promise<string> {
  const folder = join(dir, result.id);
  await mkdir(folder, { recursive: true });
  await Promise.all([
    writeMarker(folder, { case: result.id, client: result.client }),
    writeFile(join(folder, 'transcript.txt'), `${transcript(result.events, Infinity)}\n`),
    writeFile(join(folder, 'events.json'), `${JSON.stringify(result.events, null, 1)}\n`),
    writeFile(join(folder, 'keylog.txt'), keylog.length ? `${keylog.join('\n')}\n` : ''),
    ...(capture ? [writeFile(join(folder, 'capture.pcap'), buildPcap(capture))] : []),
  ]);
  return folder;
}

/** Marks a client's folder of case folders (runs with several clients) as Conform's. */
export async function markClientFolder(folder: string, client: string): Promise<void> {
  await mkdir(folder, { recursive: true });
  await writeMarker(folder, { client });
}

/**
 * Removes the case folders earlier runs left in `dir`, so that what is there
 * after a run is that run's evidence alone. Only folders with Conform's marker
 * go. A shard removes only the folders of its own slice of case ids: its
 * sibling shards may be writing theirs into the same directory at this moment.
 */
export async function clearArtifacts(dir: string, shard?: { index: number; total: number }): Promise<void> {
  const entries = await readdir(dir, { withFileTypes: true }).catch(() => []);
  await Promise.all(
    entries
      .filter((e) => e.isDirectory())
      .map(async (e) => {
        const folder = join(dir, e.name);
        const marker = await readMarker(folder);
        if (!marker) return;
        if ('case' in marker) {
          if (!shard || shardOf(marker.case, shard.total) === shard.index - 1)
            await rm(folder, { recursive: true, force: true });
        } else if (!shard) {
          await rm(folder, { recursive: true, force: true });
        } else {
          await clearArtifacts(folder, shard);
        }
      }),
  );
}
