/**
 * Case artifacts: a packet capture rebuilt from what the servers' sockets
 * carried, that tshark opens and, with the case's NSS key log, decrypts.
 */
import { execFile } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExecutable } from '../harness/clients/which.js';

const CLI = join(import.meta.dirname, '../dist/harness/cli.js');
const run = (cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> =>
  new Promise((resolve) =>
    execFile(cmd, args, { maxBuffer: 32 << 20 }, (err, stdout, stderr) =>
      resolve({ code: err ? Number(err.code) : 0, stdout, stderr }),
    ),
  );

describe('case artifacts', () => {
  it.skipIf(!findExecutable('tshark'))(
    'tshark decrypts the capture with the key log and finds the HTTP exchange',
    async () => {
      const dir = await mkdtemp(join(tmpdir(), 'conform-artifacts-'));
      const cases = join(dir, 'cases');
      const conform = await run(process.execPath, [
        CLI,
        '--grep',
        '^https\\.integrity\\.text-body$',
        '--artifacts',
        'all',
        '--artifacts-dir',
        cases,
        '--junit',
        join(dir, 'j.xml'),
        '--json',
        join(dir, 'r.json'),
        '--html',
        join(dir, 'i.html'),
      ]);
      expect(conform.code).toBe(0);
      const folder = join(cases, 'https.integrity.text-body');
      const decoded = await run('tshark', [
        '-r',
        join(folder, 'capture.pcap'),
        '-o',
        `tls.keylog_file:${join(folder, 'keylog.txt')}`,
        '-Y',
        'http',
        '-T',
        'fields',
        '-e',
        'http.request.method',
        '-e',
        'http.request.uri',
        '-e',
        'http.response.code',
      ]);
      expect(decoded.code).toBe(0);
      expect(decoded.stdout).toMatch(/GET\t\/conform\/body\.bin/);
      expect(decoded.stdout).toMatch(/\t\t200/);
      // Without the key log the same capture shows only TLS records.
      const opaque = await run('tshark', ['-r', join(folder, 'capture.pcap'), '-Y', 'http']);
      expect(opaque.stdout.trim()).toBe('');
    },
  );

  it('starts each run with only its own case folders, never removing a folder Conform did not write', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conform-artifacts-'));
    const cases = join(dir, 'cases');
    const flags = [
      '--client',
      'reference --flaw skip-verify',
      '--artifacts-dir',
      cases,
      '--junit',
      join(dir, 'j.xml'),
      '--json',
      join(dir, 'r.json'),
      '--html',
      join(dir, 'i.html'),
    ];
    await run(process.execPath, [CLI, ...flags, '--grep', '^https\\.certificate\\.expired$']);
    expect(await readdir(cases)).toEqual(['https.certificate.expired']);
    // A folder of the user's in the same place, with no marker of Conform's.
    await mkdir(join(cases, 'my-notes'));
    await writeFile(join(cases, 'my-notes', 'keep.txt'), 'mine');
    await run(process.execPath, [CLI, ...flags, '--grep', '^https\\.certificate\\.self-signed$']);
    expect((await readdir(cases)).sort()).toEqual(['https.certificate.self-signed', 'my-notes']);
    expect(await readFile(join(cases, 'my-notes', 'keep.txt'), 'utf8')).toBe('mine');
  });

  it('keeps artifacts for failed cases only by default', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'conform-artifacts-'));
    const cases = join(dir, 'cases');
    await run(process.execPath, [
      CLI,
      '--client',
      'reference --flaw skip-verify',
      '--grep',
      '^https\\.certificate\\.(valid|expired)$',
      '--artifacts-dir',
      cases,
      '--junit',
      join(dir, 'j.xml'),
      '--json',
      join(dir, 'r.json'),
      '--html',
      join(dir, 'i.html'),
    ]);
    expect((await readFile(join(cases, 'https.certificate.expired/capture.pcap'))).readUInt32LE(0)).toBe(0xa1b2c3d4);
    await expect(readFile(join(cases, 'https.certificate.valid/transcript.txt'))).rejects.toThrow();
  });
});
