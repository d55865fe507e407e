/** The FTPS server on real sockets, port 0: the virtual tree, data connections recorded, TLS session reuse. */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from '../shared/events.js';
import type { RunningServer } from '../shared/server-types.js';
import { FtpsOptionsSchema } from './options.js';
import { startFtpsServer } from './server.js';
import { Control } from '../../tests/support/ftp-control.js';

const certs = openCertStore();
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(options: unknown = {}): Promise<{ log: EventLog; port: number }> {
  const log = new EventLog();
  server = await startFtpsServer(FtpsOptionsSchema.parse(options), {
    log,
    bindHost: '127.0.0.1',
    keylog: [],
    cert: (p) => certs.get(p),
  });
  return { log, port: server.endpoint.port };
}

function readAll(socket: Socket | TLSSocket): Promise<Buffer> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.once('end', () => resolve(Buffer.concat(chunks)));
    socket.once('close', () => resolve(Buffer.concat(chunks)));
  });
}

const epsvPort = (reply: string): number => Number(/\(\|\|\|(\d+)\|\)/.exec(reply)![1]);

describe('FTPS server', () => {
  it('serves only its virtual tree and records the data connection with its checksum', async () => {
    const { log, port } = await start({ tls: 'none' });
    const c = new Control(connect(port, '127.0.0.1'));
    expect(await c.reply()).toMatch(/^220 /);
    await c.send('USER conform');
    expect(await c.send('PASS conform-ftp-secret')).toMatch(/^230 /);
    await c.send('TYPE I');
    for (const path of ['../../../../etc/passwd', '/etc/passwd', '/pub/../../etc/hostname']) {
      await c.send('EPSV');
      expect(await c.send(`RETR ${path}`)).toMatch(/^550 /);
    }
    const data = connect(epsvPort(await c.send('EPSV')), '127.0.0.1');
    const body = readAll(data);
    expect(await c.send('RETR /pub/binary.bin')).toMatch(/^150 /);
    expect(await c.reply()).toMatch(/^226 /);
    const bytes = await body;
    expect(bytes.length).toBe(1024);
    expect(new Set(bytes).size).toBe(256);
    const sent = log.ofType('payload-sent').find((e) => e.server === 'ftps-data')!;
    expect(sent).toMatchObject({
      layer: 'plaintext',
      bytes: 1024,
      complete: true,
      sha256: createHash('sha256').update(bytes).digest('hex'),
    });
    expect(log.ofType('connect').filter((e) => e.server === 'ftps-data')).toHaveLength(1);
    c.socket.destroy();
  });

  it('stores an upload in memory, only under /upload', async () => {
    const { log, port } = await start({ tls: 'none', transfer: { action: 'upload' } });
    const c = new Control(connect(port, '127.0.0.1'));
    await c.reply();
    await c.send('USER conform');
    await c.send('PASS conform-ftp-secret');
    await c.send('EPSV');
    expect(await c.send('STOR ../../tmp/conform-escape')).toMatch(/^553 /);
    const data = connect(epsvPort(await c.send('EPSV')), '127.0.0.1');
    expect(await c.send('STOR /upload/binary.bin')).toMatch(/^150 /);
    data.end(server!.input!);
    expect(await c.reply()).toMatch(/^226 /);
    expect(server!.received!()).toEqual(server!.input);
    expect(log.ofType('payload-received')[0]).toMatchObject({ server: 'ftps-data', bytes: 1024, layer: 'plaintext' });
    c.socket.destroy();
  });

  it('protects the data connection after PBSZ 0 / PROT P and records that it resumed the control session', async () => {
    const { log, port } = await start({ requireSessionReuse: true });
    const ca = (await certs.get('valid')).caPem;
    const raw = connect(port, '127.0.0.1');
    const c = new Control(raw);
    await c.reply();
    expect(await c.send('AUTH TLS')).toMatch(/^234 /);
    const tls = tlsConnect({ socket: raw, servername: 'localhost', ca });
    let session: Buffer | undefined;
    tls.on('session', (s: Buffer) => (session = s));
    await new Promise((r) => tls.once('secureConnect', r));
    c.swap(tls);
    await c.send('USER conform');
    await c.send('PASS conform-ftp-secret');
    expect(await c.send('RETR /pub/binary.bin')).toMatch(/^425 /);
    await c.send('PBSZ 0');
    await c.send('PROT P');
    const dataPort = epsvPort(await c.send('EPSV'));
    const data = tlsConnect({
      socket: connect(dataPort, '127.0.0.1'),
      servername: 'localhost',
      ca,
      session: session ?? tls.getSession()!,
    });
    const body = readAll(data);
    expect(await c.send('RETR /pub/text.txt')).toMatch(/^150 /);
    expect(await c.reply()).toMatch(/^226 /);
    expect((await body).toString()).toMatch(/^line 1: .*\r\nline 2/);
    expect(log.ofType('tls-established').find((e) => e.server === 'ftps-data')).toMatchObject({ resumed: true });
    expect(log.ofType('payload-sent')[0]).toMatchObject({ layer: 'tls' });
    tls.destroy();
  });

  it('gives data connections their own certificate, and then resumes no control session on them', async () => {
    const { log, port } = await start({ dataCertificate: 'expired' });
    const ca = (await certs.get('valid')).caPem;
    const raw = connect(port, '127.0.0.1');
    const c = new Control(raw);
    await c.reply();
    await c.send('AUTH TLS');
    const tls = tlsConnect({ socket: raw, servername: 'localhost', ca });
    let session: Buffer | undefined;
    tls.on('session', (s: Buffer) => (session = s));
    await new Promise((r) => tls.once('secureConnect', r));
    c.swap(tls);
    await c.send('USER conform');
    await c.send('PASS conform-ftp-secret');
    await c.send('PBSZ 0');
    await c.send('PROT P');
    await c.send('TYPE I');
    const dataPort = epsvPort(await c.send('EPSV'));
    // Checked by hand below: the point is which certificate the data connection shows.
    const data = tlsConnect({
      socket: connect(dataPort, '127.0.0.1'),
      servername: 'localhost',
      ca,
      rejectUnauthorized: false,
      session: session ?? tls.getSession()!,
    });
    const secure = new Promise((r) =>
      data.once('secureConnect', () => r({ resumed: data.isSessionReused(), error: data.authorizationError })),
    );
    const body = readAll(data);
    expect(await c.send('RETR /pub/binary.bin')).toMatch(/^150 /);
    expect(await secure).toEqual({ resumed: false, error: 'CERT_HAS_EXPIRED' });
    expect(await c.reply()).toMatch(/^226 /);
    expect((await body).length).toBe(1024);
    expect(log.ofType('tls-established').map((e) => [e.server, e.resumed])).toEqual([
      ['ftps', false],
      ['ftps-data', false],
    ]);
    tls.destroy();
  });

  it('refuses to require session reuse where data connections have a certificate of their own', () => {
    expect(FtpsOptionsSchema.safeParse({ requireSessionReuse: true, dataCertificate: 'expired' }).success).toBe(false);
    expect(FtpsOptionsSchema.safeParse({ requireSessionReuse: true, dataCertificate: 'valid' }).success).toBe(true);
  });

  it('sets a trap on the foreign PASV address and records a client that follows it', async () => {
    const { log, port } = await start({ tls: 'none', faults: [{ kind: 'pasv-foreign-address' }] });
    const c = new Control(connect(port, '127.0.0.1'));
    await c.reply();
    await c.send('USER conform');
    await c.send('PASS conform-ftp-secret');
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(await c.send('PASV'))!;
    expect(m.slice(1, 5).join('.')).toBe('127.0.0.3');
    const follow = connect(Number(m[5]) * 256 + Number(m[6]), '127.0.0.3');
    await new Promise((r) => follow.once('connect', r));
    await new Promise((r) => setTimeout(r, 50));
    expect(log.ofType('connect').some((e) => e.server === 'ftps-trap')).toBe(true);
    follow.destroy();
    c.socket.destroy();
  });
});
