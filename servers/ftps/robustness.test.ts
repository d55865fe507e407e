/**
 * The FTPS server against hostile clients on real sockets: hundreds of data
 * connections (a fresh PASV port each time, and one port connected to again
 * and again), a trap listener followed every time, and a client that never
 * reads. The server stays up, ends the session on time, and afterwards holds
 * no listener and no connection (counted in this process's handles).
 */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from '../shared/events.js';
import type { RunningServer } from '../shared/server-types.js';
import { FtpsOptionsSchema } from './options.js';
import { startFtpsServer } from './server.js';

const certs = openCertStore();
let server: RunningServer | undefined;
const clients: Socket[] = [];
afterEach(async () => {
  await server?.stop();
  server = undefined;
  clients.splice(0).forEach((s) => s.destroy());
});

async function start(options: unknown): Promise<{ log: EventLog; port: number }> {
  const log = new EventLog();
  server = await startFtpsServer(FtpsOptionsSchema.parse(options), {
    log,
    bindHost: '127.0.0.1',
    keylog: [],
    cert: (p) => certs.get(p),
  });
  return { log, port: server.endpoint.port };
}

/** Listening servers and TCP sockets alive in this process, whoever owns them. */
function handles(): { listeners: number; sockets: number } {
  const info = process.getActiveResourcesInfo();
  return {
    listeners: info.filter((r) => r === 'TCPServerWrap').length,
    sockets: info.filter((r) => r === 'TCPSocketWrap').length,
  };
}

async function until(what: () => boolean, ms = 5000): Promise<boolean> {
  for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 20)))
    if (what()) return true;
  return what();
}

/** Reads replies one at a time off a control connection. */
function lines(socket: Socket): { reply(): Promise<string>; send(line: string): Promise<string> } {
  let seen = '';
  socket.on('data', (d: Buffer) => (seen += d.toString('latin1')));
  socket.on('error', () => undefined);
  const reply = async (): Promise<string> => {
    let m: RegExpExecArray | null = null;
    await until(() => (m = /^(\d{3}) [^\n]*\n/m.exec(seen)) !== null);
    if (!m) throw new Error(`no reply; got ${JSON.stringify(seen.slice(-200))}`);
    const end = (m as RegExpExecArray).index + (m as RegExpExecArray)[0].length;
    const out = seen.slice(0, end);
    seen = seen.slice(end);
    return out;
  };
  return { reply, send: (line) => (socket.write(`${line}\r\n`), reply()) };
}

/** A logged-in control connection, in plaintext or after AUTH TLS. */
async function login(
  port: number,
  tls = false,
): Promise<{ socket: Socket; send(line: string): Promise<string>; reply(): Promise<string> }> {
  let socket: Socket = connect(port, '127.0.0.1');
  clients.push(socket);
  let c = lines(socket);
  await c.reply();
  if (tls) {
    expect(await c.send('AUTH TLS')).toMatch(/^234 /);
    socket.removeAllListeners('data');
    socket = tlsConnect({ socket, servername: 'localhost', ca: (await certs.get('valid')).caPem });
    clients.push(socket);
    c = lines(socket);
  }
  await c.send('USER conform');
  expect(await c.send('PASS conform-ftp-secret')).toMatch(/^230 /);
  return { socket, send: c.send, reply: c.reply };
}

/** Opens a TCP connection and keeps it, whether it connects or is refused. */
function open(port: number, host: string): Promise<'connected' | 'refused'> {
  return new Promise((resolve) => {
    const s = connect(port, host);
    clients.push(s);
    s.on('error', () => resolve('refused'));
    s.once('connect', () => resolve('connected'));
  });
}

const pasvPort = (reply: string): number => {
  const m = /\((\d+),(\d+),(\d+),(\d+),(\d+),(\d+)\)/.exec(reply)!;
  return Number(m[5]) * 256 + Number(m[6]);
};

describe('FTPS server against a hostile client', () => {
  it('survives hundreds of data connections and closes every one, with its trap listeners', {
    timeout: 60_000,
  }, async () => {
    const before = handles();
    const { log, port } = await start({ tls: 'none', faults: [{ kind: 'pasv-foreign-address' }] });
    const hostile = await login(port);
    let mostListeners = 0;
    // A fresh passive port 300 times, each connected to on the real address and on the trap.
    for (let i = 0; i < 300; i++) {
      const p = pasvPort(await hostile.send('PASV'));
      await Promise.all([open(p, '127.0.0.1'), open(p, '127.0.0.3')]);
      mostListeners = Math.max(mostListeners, handles().listeners - before.listeners);
    }
    // One passive port, 200 connections: the server takes the first and stops listening (the rest are refused,
    // or reset if the kernel queued them before the port closed).
    const dataConnects = (): number => log.ofType('connect').filter((e) => e.server === 'ftps-data').length;
    const taken = dataConnects();
    const p = pasvPort(await hostile.send('PASV'));
    const outcomes = [];
    for (let i = 0; i < 200; i++) outcomes.push(await open(p, '127.0.0.1'));
    expect(outcomes.filter((o) => o === 'refused').length).toBeGreaterThan(190);
    expect(dataConnects() - taken).toBe(1);
    // The server's own listening port, one passive listener and its trap, at most: old ones do not pile up.
    expect(mostListeners).toBeLessThanOrEqual(3);
    // Old passive connections were closed when the next PASV replaced them.
    const dataOpen = (): number =>
      log.ofType('connect').filter((e) => e.server !== 'ftps').length -
      log.ofType('close').filter((e) => e.server !== 'ftps').length;
    expect(await until(() => dataOpen() <= 1)).toBe(true);

    // Meanwhile the server still serves a well-behaved client.
    const polite = await login(port);
    expect(await polite.send('TYPE I')).toMatch(/^200 /);
    const data = connect(pasvPort(await polite.send('PASV')), '127.0.0.1');
    clients.push(data);
    const chunks: Buffer[] = [];
    data.on('data', (c: Buffer) => chunks.push(c));
    expect(await polite.send('RETR /pub/binary.bin')).toMatch(/^150 /);
    expect(await polite.reply()).toMatch(/^226 /);
    expect(Buffer.concat(chunks)).toHaveLength(1024);

    const t0 = Date.now();
    await server!.stop();
    server = undefined;
    expect(Date.now() - t0).toBeLessThan(1000);
    // Every data and trap connection the server accepted was closed, and recorded as closed.
    expect(await until(() => dataOpen() === 0)).toBe(true);
    expect(log.ofType('connect').filter((e) => e.server === 'ftps-trap').length).toBeGreaterThanOrEqual(300);
    // Nothing of the server is left: our client sockets closed as the server closed theirs.
    expect(await until(() => handles().listeners === before.listeners && handles().sockets === before.sockets)).toBe(
      true,
    );
  });

  it('ends the session of a client that floods commands and never reads, on time', { timeout: 30_000 }, async () => {
    const before = handles();
    const { log, port } = await start({ tls: 'none' });
    const sink = await login(port);
    const conn = log.ofType('connect').find((e) => e.server === 'ftps')!.conn;
    sink.socket.pause();
    // FEAT answers ~200 bytes each: more than the socket buffers hold, never read; the command limit ends it with 421.
    sink.socket.write('FEAT\r\n'.repeat(5000));
    const closed = (): boolean => log.ofType('close').some((e) => e.conn === conn);
    const t0 = Date.now();
    expect(await until(closed, 10_000)).toBe(true);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(log.ofType('close').find((e) => e.conn === conn)).toMatchObject({ by: 'server' });
    expect(log.ofType('reply').some((e) => e.code === '421')).toBe(true);
    await server!.stop();
    server = undefined;
    sink.socket.destroy();
    expect(await until(() => handles().listeners === before.listeners && handles().sockets === before.sockets)).toBe(
      true,
    );
  });

  it('gives up on a data connection that never starts TLS, and serves one that never reads', {
    timeout: 30_000,
  }, async () => {
    const { log, port } = await start({ protP: 'optional', transfer: { file: 'text.txt' } });
    const c = await login(port, true);
    await c.send('PBSZ 0');
    await c.send('PROT P');
    // Connected, and then not a byte: no ClientHello ever comes.
    expect(await open(pasvPort(await c.send('PASV')), '127.0.0.1')).toBe('connected');
    const t0 = Date.now();
    expect(await c.send('RETR /pub/text.txt')).toMatch(/^150 /);
    expect(await c.reply()).toMatch(/^522 /);
    expect(Date.now() - t0).toBeLessThan(6000);
    expect(log.ofType('payload-sent')).toHaveLength(0);
    // PROT C, and a data connection nobody reads: the file fits the socket buffers and the transfer ends.
    expect(await c.send('PROT C')).toMatch(/^200 /);
    const pasv = await c.send('PASV');
    expect(pasv).toMatch(/^227 /);
    expect(await open(pasvPort(pasv), '127.0.0.1')).toBe('connected');
    expect(await c.send('RETR /pub/text.txt')).toMatch(/^150 /);
    expect(await c.reply()).toMatch(/^226 /);
    expect(log.ofType('payload-sent')[0]).toMatchObject({ layer: 'plaintext', complete: true });
  });
});
