/** The SMTP server on real sockets on port 0: STARTTLS in place, evidence recorded, hostile bytes survived. */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from '../shared/events.js';
import type { RunningServer } from '../shared/server-types.js';
import { SmtpOptionsSchema } from './options.js';
import { startSmtpServer } from './server.js';

const certs = openCertStore();
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(options: unknown = {}): Promise<{ log: EventLog; server: RunningServer }> {
  const log = new EventLog();
  server = await startSmtpServer(SmtpOptionsSchema.parse(options), {
    log,
    bindHost: '127.0.0.1',
    keylog: [],
    cert: (p) => certs.get(p),
  });
  return { log, server };
}

/** Collects what arrives, and resolves once `pattern` matches everything seen since the last call. */
function reader(socket: Socket | TLSSocket): (pattern: RegExp) => Promise<string> {
  let seen = '';
  let waiting: { pattern: RegExp; resolve: (s: string) => void } | undefined;
  const check = (): void => {
    if (waiting && waiting.pattern.test(seen)) {
      const { resolve } = waiting;
      waiting = undefined;
      const all = seen;
      seen = '';
      resolve(all);
    }
  };
  socket.on('data', (d: Buffer) => {
    seen += d.toString('latin1');
    check();
  });
  return (pattern) =>
    new Promise((resolve) => {
      waiting = { pattern, resolve };
      check();
    });
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 100));

describe('SMTP server', () => {
  it('serves a whole STARTTLS submission and records every step with its layer', async () => {
    const { log, server } = await start();
    const raw = connect(server.endpoint.port, '127.0.0.1');
    let next = reader(raw);
    await next(/^220 .*\r\n$/);
    raw.write('EHLO c\r\n');
    await next(/250 8BITMIME\r\n/);
    raw.write('STARTTLS\r\n');
    await next(/^220 2\.0\.0 Ready to start TLS\r\n$/);
    raw.removeAllListeners('data');
    const tls = tlsConnect({ socket: raw, servername: 'localhost', ca: await readFile(server.endpoint.caFile) });
    await new Promise((r) => tls.once('secureConnect', r));
    next = reader(tls);
    tls.write('EHLO c\r\n');
    expect(await next(/250 8BITMIME\r\n/)).toContain('250-AUTH PLAIN LOGIN');
    tls.write(`AUTH PLAIN ${Buffer.from('\0alice\0conform-secret-7').toString('base64')}\r\n`);
    await next(/^235 /);
    tls.write('MAIL FROM:<alice@conform.test>\r\nRCPT TO:<bob@example.org>\r\nDATA\r\n');
    await next(/354 /);
    tls.write('Subject: hi\r\n\r\n..dotted\r\n.\r\n');
    await next(/250 2\.0\.0 Ok/);
    tls.end('QUIT\r\n');
    await settle();
    expect(server.received!()!.toString()).toBe('Subject: hi\r\n\r\n.dotted\r\n');
    const commands = log.ofType('command').map((e) => `${e.layer}:${e.verb}`);
    expect(commands).toEqual([
      'plaintext:EHLO',
      'plaintext:STARTTLS',
      'tls:EHLO',
      'tls:AUTH',
      'tls:MAIL',
      'tls:RCPT',
      'tls:DATA',
      'tls:QUIT',
    ]);
    expect(log.ofType('credentials')).toMatchObject([{ layer: 'tls', mechanism: 'PLAIN', user: 'alice' }]);
    expect(JSON.stringify(log.events)).not.toContain('conform-secret-7');
    expect(log.ofType('reply').some((e) => e.text.includes('synchronization'))).toBe(false);
  });

  it('records a command pipelined after STARTTLS, and refuses commands pipelined without PIPELINING', async () => {
    const { log, server } = await start({ capabilities: { before: ['STARTTLS'] } });
    const injected = connect(server.endpoint.port, '127.0.0.1');
    let next = reader(injected);
    await next(/^220 /);
    injected.write('EHLO c\r\n');
    await next(/250 STARTTLS\r\n/);
    injected.write('STARTTLS\r\nMAIL FROM:<evil@example>\r\n');
    await next(/^220 /);
    injected.destroy();
    const unsynced = connect(server.endpoint.port, '127.0.0.1');
    next = reader(unsynced);
    await next(/^220 /);
    unsynced.write('EHLO c\r\n');
    await next(/250 STARTTLS\r\n/);
    unsynced.write('NOOP\r\nNOOP\r\n');
    expect(await next(/554 .*\r\n/)).toMatch(/554 5\.5\.0 Error: SMTP protocol synchronization/);
    unsynced.destroy();
    await settle();
    expect(log.ofType('pipelined-before-tls')[0]).toMatchObject({ preview: 'MAIL FROM:<evil@example>\\r\\n' });
  });

  it('greets in plaintext on the implicit-TLS port when told to, and records it', async () => {
    const { log, server } = await start({ tls: 'implicit', faults: [{ kind: 'plaintext-banner' }] });
    const raw = connect(server.endpoint.port, '127.0.0.1');
    expect(await reader(raw)(/\r\n/)).toBe('220 mail.conform.test ESMTP ready\r\n');
    raw.destroy();
    await settle();
    expect(log.ofType('fault')[0]).toMatchObject({ name: 'plaintext-banner' });
    expect(server.endpoint.url).toMatch(/^smtps:\/\/localhost:\d+$/);
  });

  it('survives hostile bytes: garbage, an endless line, a flood, and stays up', async () => {
    const { log, server } = await start();
    const port = server.endpoint.port;
    const hostile = async (bytes: Buffer): Promise<void> => {
      const s = connect(port, '127.0.0.1', () => s.write(bytes));
      s.on('error', () => undefined);
      await new Promise((r) => setTimeout(r, 150));
      s.destroy();
    };
    await Promise.all([
      hostile(Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x0a, 0x00, 0xff, 0x0d, 0x0a])),
      hostile(Buffer.alloc(100_000, 0x41)),
      hostile(Buffer.from('NOOP\r\n'.repeat(500))),
      hostile(Buffer.from(`AUTH PLAIN ${'!'.repeat(300)}\r\nDATA\r\n\0\0\0\r\n`)),
    ]);
    const s = connect(port, '127.0.0.1');
    const next = reader(s);
    await next(/^220 /);
    s.write('EHLO c\r\n');
    expect(await next(/250 8BITMIME\r\n/)).toMatch(/^250-mail\.conform\.test/);
    s.destroy();
    expect(log.ofType('server-error')).toEqual([]);
    expect(log.ofType('reply').some((e) => e.code === '500' && /too long/.test(e.text))).toBe(true);
  });
});
