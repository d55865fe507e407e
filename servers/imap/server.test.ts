/** The IMAP server on real sockets, port 0: STARTTLS with injection, implicit TLS, Python's imaplib, hostile bytes. */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from '../shared/events.js';
import type { RunningServer } from '../shared/server-types.js';
import { ImapOptionsSchema } from './options.js';
import { startImapServer } from './server.js';

const certs = openCertStore();
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(options: unknown = {}): Promise<{ log: EventLog; port: number; running: RunningServer }> {
  const log = new EventLog();
  server = await startImapServer(ImapOptionsSchema.parse(options), {
    log,
    bindHost: '127.0.0.1',
    keylog: [],
    cert: (p) => certs.get(p),
  });
  return { log, port: server.endpoint.port, running: server };
}

/** Reads until `pattern` matches all that arrived (or the stream ends), then resolves with it. */
function until(socket: Socket | TLSSocket, pattern: RegExp, ms = 2000): Promise<string> {
  let seen = '';
  return new Promise((resolve) => {
    const done = (): void => {
      socket.off('data', onData);
      resolve(seen);
    };
    const onData = (d: Buffer): void => {
      seen += d.toString('latin1');
      if (pattern.test(seen)) done();
    };
    socket.on('data', onData);
    socket.once('close', done);
    setTimeout(done, ms);
  });
}

/** Python's imaplib, as a user of it writes it: STARTTLS with the case's CA, LOGIN, SELECT, FETCH (RFC822), LOGOUT. */
const PYTHON = `
import imaplib, ssl, sys
host, port, ca, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
ctx = ssl.create_default_context(cafile=ca)
imap = imaplib.IMAP4(host, port, timeout=5)
imap.starttls(ssl_context=ctx)
imap.login('conform', 'conform-imap-secret')
imap.select('INBOX')
typ, data = imap.fetch('1', '(RFC822)')
open(out, 'wb').write(data[0][1])
imap.logout()
`;

function python(args: string[]): Promise<{ code: number; stderr: string }> {
  return new Promise((resolve) => {
    execFile('python3', ['-c', PYTHON, ...args], { timeout: 10_000 }, (err, _stdout, stderr) =>
      resolve({ code: err ? Number(err.code ?? 1) : 0, stderr }),
    );
  });
}

describe('IMAP server', () => {
  it('serves Python’s imaplib over STARTTLS: message 1 byte for byte, every command but STARTTLS inside TLS', async () => {
    const { log, port, running } = await start();
    const dir = await mkdtemp(join(tmpdir(), 'conform-imap-'));
    try {
      const out = join(dir, 'message');
      const { code, stderr } = await python([running.endpoint.host, String(port), running.endpoint.caFile, out]);
      expect(stderr).toBe('');
      expect(code).toBe(0);
      expect((await readFile(out)).equals(running.expectedOutput!)).toBe(true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    const commands = log.ofType('command').map((e) => `${e.layer}:${e.verb}`);
    expect(commands[commands.indexOf('plaintext:STARTTLS') + 1]).toBe('tls:CAPABILITY');
    expect(commands.filter((c) => c.startsWith('plaintext:'))).toEqual(['plaintext:CAPABILITY', 'plaintext:STARTTLS']);
    expect(log.ofType('credentials')).toEqual([
      expect.objectContaining({ layer: 'tls', mechanism: 'LOGIN', user: 'conform' }),
    ]);
    expect(log.ofType('payload-sent')).toEqual([expect.objectContaining({ layer: 'tls', complete: true })]);
    expect(JSON.stringify(log.events)).not.toContain('conform-imap-secret');
  });

  it('writes injected bytes with the OK to STARTTLS, and stays silent inside TLS until asked', async () => {
    const { log, port } = await start({
      faults: [{ kind: 'inject-after-starttls', bytes: '* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n' }],
    });
    const raw = connect(port, '127.0.0.1');
    await until(raw, /ready\.\r\n/);
    raw.write('a1 STARTTLS\r\n');
    expect(await until(raw, /AUTH=PLAIN\r\n$/)).toBe(
      'a1 OK Begin TLS negotiation now.\r\n* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n',
    );
    const tls = tlsConnect({ socket: raw, servername: 'localhost', ca: (await certs.get('valid')).caPem });
    await new Promise((r) => tls.once('secureConnect', r));
    expect(await until(tls, /./, 200)).toBe('');
    tls.write('a2 LOGIN conform {19}\r\n');
    expect(await until(tls, /\r\n$/)).toBe('+ Ready for literal data\r\n');
    tls.write('conform-imap-secret\r\na3 LOGOUT\r\n');
    expect(await until(tls, /a3 OK/)).toMatch(/^a2 OK .*\r\n\* BYE Logging out\r\na3 OK Logout completed\.\r\n$/);
    tls.destroy();
    expect(log.ofType('credentials')).toEqual([expect.objectContaining({ layer: 'tls', mechanism: 'LOGIN' })]);
  });

  it('speaks TLS from the first byte on the implicit port, and reads plaintext there as the commands it is', async () => {
    const { log, port } = await start({ tls: 'implicit' });
    const tls = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: (await certs.get('valid')).caPem });
    expect(await until(tls, /ready\.\r\n/)).toMatch(/^\* OK \[CAPABILITY IMAP4rev1 .*AUTH=PLAIN\] /);
    tls.destroy();
    const plain = connect(port, '127.0.0.1', () => plain.write('a1 LOGIN conform conform-imap-secret\r\n'));
    await until(plain, /never/, 300);
    plain.destroy();
    await new Promise((r) => setTimeout(r, 50));
    expect(log.ofType('plaintext-on-tls-port')[0]).toMatchObject({ preview: 'a1 LOGIN conform (redacted)\\r\\n' });
    expect(log.ofType('credentials')).toContainEqual(
      expect.objectContaining({ layer: 'plaintext', mechanism: 'LOGIN' }),
    );
  });

  it('writes the plaintext banner before the implicit handshake when told to', async () => {
    const { port } = await start({ tls: 'implicit', faults: [{ kind: 'plaintext-banner' }] });
    const raw = connect(port, '127.0.0.1');
    expect(await until(raw, /\r\n/)).toBe('* OK IMAP server ready (in plaintext)\r\n');
    raw.destroy();
  });

  it('answers a script rule by the verb after the tag, with the tag the command carried', async () => {
    const { log, port } = await start({
      tls: 'none',
      script: [{ on: { command: 'LOGIN' }, do: [{ reply: '{tag} NO [UNAVAILABLE] Scripted refusal.' }] }],
    });
    const raw = connect(port, '127.0.0.1');
    await until(raw, /ready\.\r\n/);
    raw.write('x7 LOGIN conform conform-imap-secret\r\n');
    expect(await until(raw, /\r\n$/)).toBe('x7 NO [UNAVAILABLE] Scripted refusal.\r\n');
    raw.destroy();
    expect(log.ofType('fault').map((e) => e.name)).toEqual(['script-rule-1']);
    expect(log.ofType('credentials')).toEqual([expect.objectContaining({ layer: 'plaintext', mechanism: 'LOGIN' })]);
  });

  it('survives hostile bytes, an endless line, a flood and a client that never reads, and keeps serving', async () => {
    const { log, port } = await start({ mailbox: { message: 'large' } });
    const garbage = connect(port, '127.0.0.1', () => garbage.write(Buffer.alloc(9000, 0xff)));
    const flood = connect(port, '127.0.0.1', () => flood.write('a NOOP\r\n'.repeat(2000)));
    const deaf = connect(port, '127.0.0.1', () =>
      deaf.write('a LOGIN conform conform-imap-secret\r\nb SELECT INBOX\r\nc FETCH 1 BODY[]\r\nd FETCH 1 BODY[]\r\n'),
    );
    deaf.pause();
    expect(await until(garbage, /too long/)).toMatch(/\* BAD Command line too long\.\r\n$/);
    expect(await until(flood, /Too many/)).toMatch(/\* BYE Too many commands\.\r\n$/);
    const fresh = connect(port, '127.0.0.1');
    expect(await until(fresh, /ready/)).toMatch(/^\* OK/);
    for (const s of [garbage, flood, deaf, fresh]) s.destroy();
    expect(log.ofType('server-error')).toEqual([]);
  });
});
