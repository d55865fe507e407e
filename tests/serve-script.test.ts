/**
 * `conform serve --protocol P --script FILE`: a person reproduces a bug report
 * against their own client without writing a suite. Here curl, a real client,
 * meets a scripted STARTTLS reply (221, a 2xx that is not 220) and stops; the
 * server's live events show the rule firing. A bad script file is refused
 * with its file, line, rule and field.
 */
import { execFile, spawn } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExecutable } from '../harness/clients/which.js';

const CLI = join(import.meta.dirname, '../dist/harness/cli.js');

async function scriptFile(text: string): Promise<string> {
  const file = join(await mkdtemp(join(tmpdir(), 'conform-script-')), 'script.yaml');
  await writeFile(file, text);
  return file;
}

describe('serve --script', () => {
  it.skipIf(!findExecutable('curl'))(
    'serves a scripted reply that curl meets and refuses (STARTTLS answered 221)',
    async () => {
      const file = await scriptFile(`- on: { command: STARTTLS }\n  do: [{ reply: '221 2.0.0 Bye' }]\n`);
      const serve = spawn(process.execPath, [CLI, 'serve', '--protocol', 'smtp', '--script', file, '--once'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let out = '';
      serve.stdout.on('data', (d: Buffer) => (out += d.toString()));
      const port = await new Promise<number>((resolve, reject) => {
        const poll = setInterval(() => {
          const m = /listening on 127\.0\.0\.1:(\d+)/.exec(out);
          if (m) {
            clearInterval(poll);
            resolve(Number(m[1]));
          }
        }, 20);
        serve.once('exit', () => reject(new Error(`serve exited: ${out}`)));
      });
      const curl = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
        execFile(
          'curl',
          [
            '-sS',
            '--ssl-reqd',
            '--url',
            `smtp://127.0.0.1:${port}`,
            '--mail-from',
            'a@conform.test',
            '--mail-rcpt',
            'b@conform.test',
            '-T',
            '/dev/null',
          ],
          (err, _o, stderr) => {
            resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr });
          },
        );
      });
      const exited = await new Promise<number | null>((resolve) => serve.once('exit', resolve));
      expect(curl.code).not.toBe(0);
      expect(exited).toBe(0);
      expect(out).toMatch(
        /fault name="script-rule-1" explain="rule 1: on STARTTLS, the server replies \\"221 2\.0\.0 Bye\\""/,
      );
      expect(out).toMatch(/S→C \[plaintext\] 221 2\.0\.0 Bye/);
      expect(out).not.toMatch(/MAIL FROM/);
    },
  );

  it('refuses a bad script with its file, line, rule and field', async () => {
    const file = await scriptFile(
      `- on: { command: STARTTLS }\n  do: [{ reply: '220 go' }]\n- on: { command: EHLO }\n  do: [{ delay: -5 }]\n`,
    );
    const run = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      execFile(process.execPath, [CLI, 'serve', '--protocol', 'pop3', '--script', file], (err, _o, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stderr }),
      );
    });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`${file}:4: field script[1].do[0].delay: rule 2: `);
  });
});
