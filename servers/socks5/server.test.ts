/** The SOCKS5 proxy on real sockets, port 0: a tunnel to its target, hostile bytes, a silent client. */
import { connect, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from '../shared/events.js';
import type { RunningServer } from '../shared/server-types.js';
import { Socks5OptionsSchema } from './options.js';
import { startSocks5Server } from './server.js';
import { encodeDatagram } from './udp.js';
import { udpAssociation, until } from '../../tests/support/socks5-udp.js';

const certs = openCertStore();
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(options: unknown = {}): Promise<{ log: EventLog; running: RunningServer }> {
  const log = new EventLog();
  server = await startSocks5Server(Socks5OptionsSchema.parse(options), {
    log,
    bindHost: '127.0.0.1',
    keylog: [],
    cert: (p) => certs.get(p),
  });
  return { log, running: server };
}

/** Writes `bytes`, then collects what arrives until the proxy closes or `ms` pass. */
function exchange(port: number, writes: Buffer[], ms = 1500): Promise<{ data: Buffer; closed: boolean }> {
  return new Promise((resolve) => {
    const socket: Socket = connect({ host: '127.0.0.1', port }, () => writes.forEach((w) => socket.write(w)));
    const chunks: Buffer[] = [];
    let closed = false;
    const done = (): void => {
      socket.destroy();
      resolve({ data: Buffer.concat(chunks), closed });
    };
    const timer = setTimeout(done, ms);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.once('close', () => {
      closed = true;
      clearTimeout(timer);
      done();
    });
  });
}

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const connectTo = (name: string, port: number): Buffer => {
  const p = Buffer.alloc(2);
  p.writeUInt16BE(port);
  return Buffer.concat([h('05010003'), Buffer.from([name.length]), Buffer.from(name), p]);
};

describe('SOCKS5 proxy', () => {
  it('tunnels a GET to the target it alone resolves, records both directions, and notes the GET sent ahead of the reply', async () => {
    const { log, running } = await start();
    const url = new URL(running.endpoint.url);
    expect(running.job?.proxyUrl).toMatch(/^socks5h:\/\/127\.0\.0\.1:\d+$/);
    const get = Buffer.from(`GET ${url.pathname} HTTP/1.1\r\nHost: ${url.host}\r\nConnection: close\r\n\r\n`);
    const { data } = await exchange(running.endpoint.port, [
      h('050100'),
      connectTo(url.hostname, Number(url.port)),
      get,
    ]);
    expect(data.subarray(0, 6).toString('hex')).toBe('050005000001');
    expect(data.includes(running.expectedOutput!)).toBe(true);
    await new Promise((r) => setTimeout(r, 50));
    expect(log.ofType('payload-received')[0]?.bytes).toBe(get.length);
    expect(log.ofType('command').map((e) => e.verb)).toEqual(['GREETING', 'CONNECT', 'EARLY-DATA', 'GET']);
  });

  it('refuses destinations other than its target (not an open proxy)', async () => {
    const { running } = await start();
    const { data, closed } = await exchange(running.endpoint.port, [h('050100'), connectTo('example.com', 80)]);
    expect(data.subarray(0, 4).toString('hex')).toBe('05000502');
    expect(closed).toBe(true);
  });

  it('answers an unknown name on the target port with host unreachable', async () => {
    const { running } = await start();
    const port = Number(new URL(running.endpoint.url).port);
    const { data } = await exchange(running.endpoint.port, [h('050100'), connectTo('', port)]);
    expect(data.subarray(0, 4).toString('hex')).toBe('05000504');
  });

  it('stays up through hostile greetings and a client that sends nothing', async () => {
    const { running } = await start();
    const port = running.endpoint.port;
    const silent = exchange(port, [], 300);
    const results = await Promise.all([
      exchange(port, [h('05ff00')], 300), // NMETHODS 255, two bytes sent: it waits
      exchange(port, [h('0400')], 300),
      exchange(port, [Buffer.alloc(4096, 0xff)], 300),
      exchange(port, [h('050100'), h('05010003ff'), Buffer.alloc(300, 0x61)], 300),
      silent,
    ]);
    expect(results[1]!.closed).toBe(true);
    const again = await exchange(port, [h('050100')], 300);
    expect(again.data.toString('hex')).toBe('0500');
  });

  it('hands out the account in the proxy URL only when username/password is accepted', async () => {
    const { running } = await start({ methods: ['username-password'] });
    expect(running.job?.proxyUrl).toMatch(/^socks5h:\/\/conform:conform-socks-secret@127\.0\.0\.1:\d+$/);
    expect(running.credentials).toEqual({ user: 'conform', pass: 'conform-socks-secret' });
  });

  it('hands out generated long names: the user in the proxy URL and the account, the host in the target URL; a user cut to 255 bytes fails', async () => {
    const { running } = await start({ methods: ['username-password'], longNames: { user: 256, host: 255 } });
    const proxy = new URL(running.job?.proxyUrl ?? '');
    expect(proxy.username).toHaveLength(256);
    expect(running.credentials?.user).toBe(proxy.username);
    const target = new URL(running.endpoint.url);
    expect(target.hostname).toHaveLength(255);
    const auth = Buffer.concat([
      Buffer.from([1, 255]),
      Buffer.from(proxy.username.slice(0, 255)),
      Buffer.from([20]),
      Buffer.from('conform-socks-secret'),
    ]);
    // A user name cut to 255 bytes is not the account: failure, and the proxy closes.
    const cut = await exchange(running.endpoint.port, [h('050102'), auth]);
    expect(cut.data.toString('hex')).toBe('05020101');
    expect(cut.closed).toBe(true);
  });

  it('tunnels to a 255-byte target name (longNames.host)', async () => {
    const { running } = await start({ longNames: { host: 255 } });
    const url = new URL(running.endpoint.url);
    const { data } = await exchange(
      running.endpoint.port,
      [h('050100'), connectTo(url.hostname, Number(url.port))],
      500,
    );
    expect(data.subarray(0, 6).toString('hex')).toBe('050005000001');
  });

  it('BIND: the peer connects to the announced listener, bytes cross both ways, and the listener is gone afterwards', async () => {
    const { running } = await start({ command: 'bind' });
    expect(running.endpoint.url).toMatch(/^tcp:\/\/target\.conform\.test:\d+$/);
    const socket = connect({ host: '127.0.0.1', port: running.endpoint.port });
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.write(h('050100'));
    socket.write(h('05020001 7f000001 0000'));
    await until(() => Buffer.concat(chunks).length >= 12);
    const all = (): Buffer => Buffer.concat(chunks);
    const listenerPort = all().readUInt16BE(10);
    await until(() => all().length >= 22);
    expect(all().subarray(12, 16).toString('hex')).toBe('05000001');
    socket.write(running.input!);
    await new Promise((r) => socket.once('end', r));
    expect(all().subarray(22).equals(running.expectedOutput!)).toBe(true);
    expect(running.received?.()?.equals(running.input!)).toBe(true);
    socket.destroy();
    await running.stop();
    server = undefined;
    const refused = await new Promise<boolean>((resolve) =>
      connect({ host: '127.0.0.1', port: listenerPort })
        .once('error', () => resolve(true))
        .once('connect', () => resolve(false)),
    );
    expect(refused).toBe(true);
  });

  it('UDP: relays a datagram with its header, drops hostile ones with a reason, and ends the association with its TCP connection', async () => {
    const { log, running } = await start({ command: 'udp-associate', address: 'ipv4' });
    const target = Number(new URL(running.endpoint.url).port);
    const { socket, udp, relayPort, answers } = await udpAssociation(running.endpoint.port);
    // Garbage first: short, undefined ATYP, a fragment, a name overrunning the datagram, a flood of random bytes.
    for (const junk of [
      h('00'),
      h('000000 09 7f000001 0000'),
      encodeDatagram('127.0.0.1', target, Buffer.from('x'), 1),
      h('000000 03 ff 6161'),
    ])
      udp.send(junk, relayPort, '127.0.0.1');
    for (let i = 0; i < 200; i++)
      udp.send(Buffer.from(Array.from({ length: 64 }, () => (Math.random() * 256) | 0)), relayPort, '127.0.0.1');
    udp.send(encodeDatagram('127.0.0.1', target, running.input!), relayPort, '127.0.0.1');
    await until(() => answers.length > 0);
    expect(answers[0]!.subarray(10).equals(running.expectedOutput!)).toBe(true);
    expect(log.ofType('reply').filter((e) => e.code === 'dropped').length).toBeGreaterThanOrEqual(4);
    socket.destroy();
    await until(() => log.ofType('reply').some((e) => e.code === 'association-ended'));
    udp.send(encodeDatagram('127.0.0.1', target, running.input!), relayPort, '127.0.0.1');
    await until(() => log.ofType('reply').some((e) => /association ended/.test(e.text)));
    udp.close();
  });
});
