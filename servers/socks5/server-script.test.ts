/** SOCKS5 scripts on real sockets, port 0: each stage answered by a rule, the proxy carrying on or ending as it says. */
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

async function start(options: unknown): Promise<{ log: EventLog; running: RunningServer; target: URL }> {
  const log = new EventLog();
  server = await startSocks5Server(Socks5OptionsSchema.parse({ address: 'ipv4', ...(options as object) }), {
    log,
    bindHost: '127.0.0.1',
    keylog: [],
    cert: (p) => certs.get(p),
  });
  return { log, running: server, target: new URL(server.endpoint.url) };
}

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const request = (cmd: number, port: number): Buffer => {
  const r = h('05 00 00 01 7f000001 0000');
  r[1] = cmd;
  r.writeUInt16BE(port, 8);
  return r;
};
const get = (target: URL): Buffer =>
  Buffer.from(`GET ${target.pathname} HTTP/1.1\r\nHost: ${target.host}\r\nConnection: close\r\n\r\n`);

/** Writes each chunk `gapMs` after the last, and collects every read (with its time) until the proxy closes or `ms` pass. */
function session(
  port: number,
  writes: Buffer[],
  opts: { gapMs?: number; ms?: number } = {},
): Promise<{ reads: Array<{ at: number; data: Buffer }>; data: Buffer; error?: string }> {
  return new Promise((resolve) => {
    const t0 = Date.now();
    const reads: Array<{ at: number; data: Buffer }> = [];
    let error: string | undefined;
    const socket: Socket = connect({ host: '127.0.0.1', port }, () =>
      writes.forEach((w, i) => setTimeout(() => socket.write(w), i * (opts.gapMs ?? 100))),
    );
    const done = (): void => {
      socket.destroy();
      resolve({ reads, data: Buffer.concat(reads.map((r) => r.data)), ...(error ? { error } : {}) });
    };
    const timer = setTimeout(done, opts.ms ?? 1500);
    socket.on('data', (data: Buffer) => reads.push({ at: Date.now() - t0, data }));
    socket.on('error', (err: NodeJS.ErrnoException) => void (error = err.code));
    socket.once('close', () => {
      clearTimeout(timer);
      done();
    });
  });
}

describe('SOCKS5 scripts', () => {
  it('answers the greeting with VER 4 in raw bytes, records it, and carries on into the tunnel', async () => {
    const { log, running, target } = await start({ script: [{ on: 'greeting', do: [{ hex: '04 00' }] }] });
    const { data } = await session(running.endpoint.port, [h('050100'), request(1, Number(target.port)), get(target)]);
    expect(data.subarray(0, 4).toString('hex')).toBe('04000500');
    expect(data.includes(running.expectedOutput!)).toBe(true);
    const seen = log.events
      .filter((e) => e.server === 'socks5' && (e.type === 'fault' || e.type === 'reply'))
      .map((e) => (e.type === 'fault' ? e.name : e.type === 'reply' ? e.code : ''));
    expect(seen).toEqual(['script-rule-1', 'method=00', '00']);
  });

  it('trickles the reply one byte per write, 40 ms apart, before the target’s bytes', async () => {
    const { running, target } = await start({ script: [{ on: 'request', do: [{ trickle: 40 }, 'normal'] }] });
    const { reads, data } = await session(
      running.endpoint.port,
      [h('050100'), request(1, Number(target.port)), get(target)],
      { gapMs: 50, ms: 2500 },
    );
    const reply = reads.slice(1, 11);
    expect(reply.every((r) => r.data.length === 1)).toBe(true);
    expect(reply[9]!.at - reply[0]!.at).toBeGreaterThanOrEqual(9 * 35);
    expect(data.subarray(2, 4).toString('hex')).toBe('0500');
    expect(data.includes(running.expectedOutput!)).toBe(true);
  });

  it('answers a request with a failure reply and a close, the request never carried out', async () => {
    const { log, running, target } = await start({
      script: [{ on: 'request', do: [{ hex: '05 02 00 01 00000000 0000' }, 'close'] }],
    });
    const { data } = await session(running.endpoint.port, [h('050100'), request(1, Number(target.port))]);
    expect(data.toString('hex')).toBe('050005020001000000000000');
    expect(log.events.some((e) => e.server === 'http-target' && e.type === 'connect')).toBe(false);
  });

  it('closes the tunnel once 100 bytes from the target crossed it', async () => {
    const { log, running, target } = await start({ script: [{ on: { tunnel: { after: 100 } }, do: ['close'] }] });
    const { data } = await session(running.endpoint.port, [h('050100'), request(1, Number(target.port)), get(target)]);
    expect(data.length).toBe(2 + 10 + 100);
    await until(() => log.ofType('payload-sent').some((e) => e.server === 'socks5'));
    expect(log.ofType('payload-sent').find((e) => e.server === 'socks5')).toMatchObject({
      bytes: 100,
      complete: false,
    });
  });

  it('sends bytes when the connection is accepted, then resets it', async () => {
    const { running } = await start({
      script: [{ on: 'connect', do: [{ send: 'hello\\r\\n' }, { delay: 50 }, 'reset'] }],
    });
    const { data, error } = await session(running.endpoint.port, []);
    expect(data.toString()).toBe('hello\r\n');
    expect(error).toBe('ECONNRESET');
  });

  it("holds BIND's second reply back to send it in one write with the peer's first bytes", async () => {
    const { running } = await start({ command: 'bind', script: [{ on: 'bind-peer', do: ['hold', 'normal'] }] });
    const { reads } = await session(running.endpoint.port, [h('050100'), request(2, 0)], { gapMs: 20, ms: 600 });
    // The method selection (2 bytes) and the first reply (10) come first; the read holding the second reply's first byte holds the peer's too.
    let offset = 0;
    const second = reads.find((r) => (offset += r.data.length) > 12)!;
    expect(offset).toBeGreaterThan(12 + 10);
    expect(second.data[second.data.length - (offset - 12)]).toBe(5);
  });

  it('sends a decoy datagram (FRAG 1) from the relay before the real answer', async () => {
    const { log, running, target } = await start({
      command: 'udp-associate',
      script: [{ on: 'datagram', do: [{ datagram: { frag: 1, data: 'decoy' } }, 'normal'] }],
    });
    const { socket, udp, relayPort, answers } = await udpAssociation(running.endpoint.port);
    udp.send(encodeDatagram('127.0.0.1', Number(target.port), running.input!), relayPort, '127.0.0.1');
    await until(() => answers.length >= 2);
    expect(answers[0]!.subarray(0, 3).toString('hex')).toBe('000001');
    expect(answers[0]!.subarray(10).toString()).toBe('decoy');
    expect(answers[1]!.subarray(10).equals(running.expectedOutput!)).toBe(true);
    expect(log.ofType('fault').map((e) => e.name)).toEqual(['script-rule-1']);
    udp.close();
    socket.destroy();
  });
});
