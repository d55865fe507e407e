/** FTPS scripts on real sockets (127.0.0.1, port 0): the data action on the data channel, and the replies it ends with. */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
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

async function start(options: Record<string, unknown>): Promise<{ log: EventLog; port: number }> {
  const log = new EventLog();
  server = await startFtpsServer(FtpsOptionsSchema.parse({ tls: 'none', ...options }), {
    log,
    bindHost: '127.0.0.1',
    keylog: [],
    cert: (p) => certs.get(p),
  });
  return { log, port: server.endpoint.port };
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function readAll(socket: Socket | TLSSocket): Promise<{ data: Buffer; error?: string }> {
  const chunks: Buffer[] = [];
  return new Promise((resolve) => {
    let error: string | undefined;
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', (e: NodeJS.ErrnoException) => (error = e.code ?? e.message));
    socket.once('close', () => resolve({ data: Buffer.concat(chunks), ...(error ? { error } : {}) }));
  });
}

async function login(port: number): Promise<Control> {
  const c = new Control(connect(port, '127.0.0.1'));
  await c.reply();
  await c.send('USER conform');
  await c.send('PASS conform-ftp-secret');
  await c.send('TYPE I');
  return c;
}

const epsvPort = (reply: string): number => Number(/\(\|\|\|(\d+)\|\)/.exec(reply)![1]);
const faults = (log: EventLog) => log.ofType('fault');

describe('FTPS scripts on the data channel', () => {
  it('names a foreign address in the 227, and its trap records a client that follows it under the rule name', async () => {
    const { log, port } = await start({
      script: [{ on: { command: 'PASV' }, do: ['normal', { data: { address: '127.0.0.3' } }] }],
    });
    const c = await login(port);
    const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(await c.send('PASV'))!;
    expect(m.slice(1, 5).join('.')).toBe('127.0.0.3');
    const follow = connect(Number(m[5]) * 256 + Number(m[6]), '127.0.0.3');
    await new Promise((r) => follow.once('connect', r));
    await sleep(50);
    expect(log.ofType('connect').some((e) => e.server === 'ftps-trap')).toBe(true);
    expect(faults(log).map((e) => [e.server, e.name])).toEqual([
      ['ftps', 'script-rule-1'],
      ['ftps-trap', 'script-rule-1'],
    ]);
    follow.destroy();
    c.socket.destroy();
  });

  it('leaves out the 150 and closes the data connection empty: 226 comes alone', async () => {
    const { port } = await start({
      script: [{ on: { command: 'LIST' }, do: ['normal', { data: { preliminary: false, connection: 'close' } }] }],
    });
    const c = await login(port);
    const data = connect(epsvPort(await c.send('EPSV')), '127.0.0.1');
    const body = readAll(data);
    expect(await c.send('LIST /pub')).toMatch(/^226 /);
    expect((await body).data.length).toBe(0);
    c.socket.destroy();
  });

  it('refuses the data connection, ends the transfer with the final reply, and closes the control connection after it', async () => {
    const { log, port } = await start({
      script: [
        {
          on: { command: 'RETR' },
          do: [{ normal: { final: '421 Closing.' } }, { data: { connection: 'refuse' } }, 'close'],
        },
      ],
    });
    const c = await login(port);
    const data = connect(epsvPort(await c.send('EPSV')), '127.0.0.1');
    const body = readAll(data);
    expect(await c.send('RETR /pub/binary.bin')).toMatch(/^150 /);
    expect(await c.reply()).toBe('421 Closing.\r\n');
    expect((await body).data.length).toBe(0);
    await sleep(50);
    expect(c.closed).toBe(true);
    expect(
      log
        .ofType('reply')
        .map((e) => e.code)
        .slice(-2),
    ).toEqual(['150', '421']);
  });

  it('cuts the file and resets the data connection, the rule event recorded there before the bytes', async () => {
    const { log, port } = await start({
      script: [{ on: { command: 'RETR' }, do: ['normal', { data: { cut: 0.25, end: 'reset' } }] }],
    });
    const c = await login(port);
    const data = connect(epsvPort(await c.send('EPSV')), '127.0.0.1');
    const body = readAll(data);
    expect(await c.send('RETR /pub/binary.bin')).toMatch(/^150 /);
    expect(await c.reply()).toMatch(/^226 /);
    const got = await body;
    expect(got.data.length).toBeLessThanOrEqual(256);
    expect(got.error).toBe('ECONNRESET');
    const data2 = log.events.filter((e) => e.server === 'ftps-data').map((e) => e.type);
    expect(data2.indexOf('fault')).toBeLessThan(data2.indexOf('payload-sent'));
    expect(log.ofType('payload-sent')[0]).toMatchObject({ bytes: 256, complete: false });
    // Met on the data connection only: no event of the rule with the command.
    expect(faults(log).map((e) => e.server)).toEqual(['ftps-data']);
    c.socket.destroy();
  });

  it('edits the replies the data channel gives later (229, 226), and writes what follows normal after the 226', async () => {
    const { port } = await start({
      script: [
        { on: { command: 'RETR' }, do: [{ normal: { lineEnd: 'lf' } }, { reply: '250 Extra' }] },
        { on: { command: '*' }, do: [{ normal: { lineEnd: 'lf', add: 'More' } }], times: 50 },
      ],
    });
    const c = await login(port);
    const epsv = await c.send('EPSV');
    expect(epsv).toMatch(/^229-Entering Extended Passive Mode \(\|\|\|\d+\|\)\n229 More\n$/);
    const data = connect(epsvPort(epsv), '127.0.0.1');
    const body = readAll(data);
    expect(await c.send('RETR /pub/binary.bin')).toMatch(/^150 [^\r]*\n$/);
    expect(await c.reply()).toBe('226 Transfer complete.\n');
    expect(await c.reply()).toBe('250 Extra\r\n');
    expect((await body).data.length).toBe(1024);
    c.socket.destroy();
  });

  it('serves the data connection in clear after PROT P', async () => {
    const { log, port } = await start({
      tls: 'explicit',
      script: [{ on: { command: 'RETR' }, do: ['normal', { data: { tls: false } }] }],
    });
    const raw = connect(port, '127.0.0.1');
    const c = new Control(raw);
    await c.reply();
    expect(await c.send('AUTH TLS')).toMatch(/^234 /);
    const tls = tlsConnect({ socket: raw, servername: 'localhost', ca: (await certs.get('valid')).caPem });
    await new Promise((r) => tls.once('secureConnect', r));
    c.swap(tls);
    await c.send('USER conform');
    await c.send('PASS conform-ftp-secret');
    await c.send('TYPE I');
    await c.send('PBSZ 0');
    expect(await c.send('PROT P')).toMatch(/^200 /);
    const data = connect(epsvPort(await c.send('EPSV')), '127.0.0.1');
    const body = readAll(data);
    expect(await c.send('RETR /pub/binary.bin')).toMatch(/^150 /);
    expect(await c.reply()).toMatch(/^226 /);
    expect((await body).data.length).toBe(1024);
    expect(log.ofType('payload-sent')[0]).toMatchObject({ layer: 'plaintext', bytes: 1024 });
    expect(faults(log).map((e) => [e.server, e.name])).toEqual([['ftps-data', 'script-rule-1']]);
    tls.destroy();
  });

  it('answers a ClientHello after 234 with a handshake_failure alert (FTPS has no named fault for it)', async () => {
    const { log, port } = await start({
      tls: 'explicit',
      script: [{ on: 'client-hello', do: [{ alert: 'handshake_failure' }, 'close'] }],
    });
    const raw = connect(port, '127.0.0.1');
    const c = new Control(raw);
    await c.reply();
    expect(await c.send('AUTH TLS')).toMatch(/^234 /);
    const tls = tlsConnect({ socket: raw, servername: 'localhost', ca: (await certs.get('valid')).caPem });
    const error = await new Promise<string>((resolve) =>
      tls.once('error', (e: NodeJS.ErrnoException) => resolve(e.code ?? e.message)),
    );
    expect(error).toMatch(/HANDSHAKE_FAILURE|ECONNRESET/);
    expect(log.ofType('tls-failed')[0]).toMatchObject({ error: 'SCRIPTED_ALERT', alert: 'handshake_failure' });
  });
});
