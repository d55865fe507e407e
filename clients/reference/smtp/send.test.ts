/** The reference client's SMTP session as a whole, against a server on 127.0.0.1 that never speaks. */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsJob } from '../../../tests/support/tls-peer.js';
import { sendMail } from './send.js';

let dir: string;
let silent: Server;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'conform-smtp-send-'));
  await writeFile(join(dir, 'message.eml'), 'Subject: hi\r\n\r\nhello\r\n');
  silent = createServer(() => undefined);
  await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
});
afterAll(async () => {
  await new Promise((resolve) => silent.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

describe('sendMail', () => {
  it('a session begun after the deadline passed gives up at once instead of waiting for the greeting', async () => {
    const port = (silent.address() as AddressInfo).port;
    const job = tlsJob('localhost', port, '', {
      protocol: 'smtp',
      action: 'send',
      tls: 'none',
      requireTls: false,
      inputFile: join(dir, 'message.eml'),
      mailFrom: 'a@conform.test',
      mailTo: 'b@conform.test',
    });
    const lines: string[] = [];
    const sent = sendMail(job, { flaws: new Set(), signal: AbortSignal.abort(), log: (l) => lines.push(l) });
    const waited = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 500));
    expect(await Promise.race([sent, waited])).toBe(1);
    expect(lines).toEqual(['failed: timed out']);
  });
});
