/** The POP3 server on real sockets, port 0: STLS with injection, implicit TLS, hostile bytes, a client that never reads. */
import { connect, type Socket } from 'node:net';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from '../shared/events.js';
import type { RunningServer } from '../shared/server-types.js';
import { Pop3OptionsSchema } from './options.js';
import { startPop3Server } from './server.js';
import { stuff } from './mailbox.js';

const certs = openCertStore();
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(options: unknown = {}): Promise<{ log: EventLog; port: number; running: RunningServer }> {
  const log = new EventLog();
  server = await startPop3Server(Pop3OptionsSchema.parse(options), {
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

describe('POP3 server', () => {
  it('upgrades with STLS, writes injected bytes with the go-ahead, and stays silent inside TLS until asked', async () => {
    const { log, port, running } = await start({ faults: [{ kind: 'inject-after-stls', bytes: '+OK\r\nUSER ' }] });
    const raw = connect(port, '127.0.0.1');
    await until(raw, /ready\.\r\n/);
    raw.write('STLS\r\n');
    expect(await until(raw, /USER $/)).toBe('+OK Begin TLS negotiation now.\r\n+OK\r\nUSER ');
    const tls = tlsConnect({ socket: raw, servername: 'localhost', ca: (await certs.get('valid')).caPem });
    await new Promise((r) => tls.once('secureConnect', r));
    expect(await until(tls, /./, 200)).toBe('');
    tls.write('CAPA\r\nUSER conform\r\nPASS conform-pop3-secret\r\nRETR 1\r\n');
    const all = await until(tls, /\r\n\.\r\n[\s\S]*\r\n\.\r\n$/);
    expect(all).toContain(stuff(running.expectedOutput!).toString('latin1'));
    tls.destroy();
    const commands = log.ofType('command').map((e) => `${e.layer}:${e.verb}`);
    expect(commands).toEqual(['plaintext:STLS', 'tls:CAPA', 'tls:USER', 'tls:PASS', 'tls:RETR']);
    expect(log.ofType('credentials')).toEqual([expect.objectContaining({ layer: 'tls', user: 'conform' })]);
    expect(JSON.stringify(log.events)).not.toContain('conform-pop3-secret');
  });

  it('speaks TLS from the first byte on the implicit port, and flags plaintext there', async () => {
    const { log, port } = await start({ tls: 'implicit' });
    const tls = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca: (await certs.get('valid')).caPem });
    expect(await until(tls, /ready\.\r\n/)).toMatch(/^\+OK /);
    tls.destroy();
    const plain = connect(port, '127.0.0.1', () => plain.write('USER conform\r\n'));
    await until(plain, /never/, 300);
    plain.destroy();
    expect(log.ofType('plaintext-on-tls-port')[0]).toMatchObject({ preview: 'USER conform\\r\\n' });
  });

  it('writes the plaintext banner before the implicit handshake when told to', async () => {
    const { port } = await start({ tls: 'implicit', faults: [{ kind: 'plaintext-banner' }] });
    const raw = connect(port, '127.0.0.1');
    expect(await until(raw, /\r\n/)).toMatch(/^\+OK POP3 server ready \(in plaintext\)\r\n$/);
    raw.destroy();
  });

  it('fails the handshake under handshake-failure', async () => {
    const { log, port } = await start({ faults: [{ kind: 'handshake-failure' }] });
    const raw = connect(port, '127.0.0.1');
    await until(raw, /ready\.\r\n/);
    raw.write('STLS\r\n');
    await until(raw, /now\.\r\n/);
    const error = await new Promise<Error>((resolve) =>
      tlsConnect({ socket: raw, servername: 'localhost', rejectUnauthorized: false }).once('error', resolve),
    );
    expect(error.message).toMatch(/handshake failure|alert/i);
    expect(log.ofType('tls-failed')).toHaveLength(1);
  });

  it('survives hostile bytes, an endless line and a client that never reads, and keeps serving', async () => {
    const { log, port } = await start({ mailbox: { message: 'large' } });
    const garbage = connect(port, '127.0.0.1', () => garbage.write(Buffer.alloc(5000, 0xff)));
    const flood = connect(port, '127.0.0.1', () => flood.write('NOOP\r\n'.repeat(2000)));
    const deaf = connect(port, '127.0.0.1', () =>
      deaf.write('USER conform\r\nPASS conform-pop3-secret\r\nRETR 1\r\nRETR 1\r\n'),
    );
    deaf.pause();
    expect(await until(garbage, /Line too long/)).toMatch(/-ERR Line too long\.\r\n$/);
    expect(await until(flood, /Too many/)).toMatch(/-ERR Too many commands\.\r\n$/);
    const fresh = connect(port, '127.0.0.1');
    expect(await until(fresh, /ready/)).toMatch(/^\+OK/);
    for (const s of [garbage, flood, deaf, fresh]) s.destroy();
    expect(log.ofType('server-error')).toEqual([]);
  });
});
