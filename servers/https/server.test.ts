/** The HTTPS server against real sockets on 127.0.0.1: evidence recorded, hostile bytes survived. */
import { connect as tcpConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { readFile } from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from '../shared/events.js';
import type { RunningServer } from '../shared/server-types.js';
import { HttpsOptionsSchema } from './options.js';
import { startHttpsServer } from './server.js';

const certs = openCertStore();
let server: RunningServer | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(options: unknown = {}): Promise<{ log: EventLog; server: RunningServer }> {
  const log = new EventLog();
  server = await startHttpsServer(HttpsOptionsSchema.parse(options), {
    log,
    bindHost: '127.0.0.1',
    keylog: [],
    cert: (p) => certs.get(p),
  });
  return { log, server };
}

/** Sends raw bytes, then waits for the server to hang up (or for `ms`). */
function sendRaw(port: number, chunks: Buffer[], ms = 500): Promise<Buffer> {
  return new Promise((resolve) => {
    const received: Buffer[] = [];
    const socket = tcpConnect(port, '127.0.0.1', () => chunks.forEach((c) => socket.write(c)));
    socket.on('data', (d: Buffer) => received.push(d));
    const done = (): void => {
      socket.destroy();
      resolve(Buffer.concat(received));
    };
    socket.on('close', done);
    socket.on('error', done);
    setTimeout(done, ms);
  });
}

describe('HTTPS server', () => {
  it('serves the body over TLS and records hello, handshake, request and payload in order', async () => {
    const { log, server } = await start();
    const body = await new Promise<Buffer>(async (resolve, reject) => {
      const socket = tlsConnect(
        {
          host: '127.0.0.1',
          port: server.endpoint.port,
          servername: 'localhost',
          ca: await readFile(server.endpoint.caFile),
        },
        () => {
          socket.write('GET /conform/body.bin HTTP/1.1\r\nHost: localhost\r\n\r\n');
        },
      );
      const parts: Buffer[] = [];
      socket.on('data', (d: Buffer) => parts.push(d));
      socket.on('end', () => resolve(Buffer.concat(parts)));
      socket.on('error', reject);
    });
    expect(body.subarray(body.indexOf('\r\n\r\n') + 4).equals(server.expectedOutput!)).toBe(true);
    const types = log.events.map((e) => e.type);
    expect(types.indexOf('client-hello')).toBeLessThan(types.indexOf('tls-established'));
    expect(types.indexOf('tls-established')).toBeLessThan(types.indexOf('command'));
    expect(log.ofType('client-hello')[0]).toMatchObject({ sni: 'localhost' });
    expect(log.ofType('payload-sent')[0]).toMatchObject({ layer: 'tls', bytes: 4096, complete: true });
  });

  it('diagnoses plaintext sent to the TLS port and answers as nginx does', async () => {
    const { log, server } = await start();
    const reply = await sendRaw(server.endpoint.port, [Buffer.from('GET / HTTP/1.1\r\nHost: x\r\n\r\n')]);
    expect(reply.toString()).toMatch(/^HTTP\/1\.1 400 Bad Request[\s\S]*plain HTTP request was sent to HTTPS port/);
    expect(log.ofType('plaintext-on-tls-port')[0]).toMatchObject({
      preview: 'GET / HTTP/1.1\\r\\nHost: x\\r\\n\\r\\n',
    });
  });

  it('survives hostile bytes: garbage, a torn ClientHello, a huge record, and stays up', async () => {
    const { log, server } = await start();
    const port = server.endpoint.port;
    await Promise.all([
      sendRaw(port, [Buffer.from([0x16, 0x03, 0x01, 0xff, 0xff, 0x01, 0x00])], 300),
      sendRaw(port, [Buffer.from([0x16, 0x03, 0x03, 0x00, 0x04, 0x02, 0x00, 0x00, 0x00])]),
      sendRaw(port, [Buffer.alloc(100_000, 0xff)]),
      sendRaw(port, [Buffer.from([0x16]), Buffer.from([0x03, 0x01, 0x00, 0x02, 0x01, 0x00])]),
      sendRaw(port, []),
    ]);
    expect(log.ofType('server-error')).toEqual([]);
    const reply = await sendRaw(port, [Buffer.from('GET / HTTP/1.0\r\n\r\n')]);
    expect(reply.toString()).toMatch(/^HTTP\/1\.1 400/);
  });

  it('answers a ClientHello with an alert when told to, and records the fault', async () => {
    const { log, server } = await start({ faults: [{ kind: 'handshake-alert', alert: 'protocol_version' }] });
    const error = await new Promise<NodeJS.ErrnoException>(async (resolve) => {
      const socket = tlsConnect({
        host: '127.0.0.1',
        port: server.endpoint.port,
        ca: await readFile(server.endpoint.caFile),
        servername: 'localhost',
      });
      socket.on('error', resolve);
    });
    expect(error.message).toMatch(/protocol version/i);
    expect(log.ofType('fault')[0]).toMatchObject({ name: 'handshake-alert' });
  });
});

describe('plaintext behind a ClientHello', () => {
  /** A TLS client whose raw socket also gets `plain` right after the hello leaves (a client that thinks TLS is up). */
  function helloThenPlaintext(port: number, plain: string, afterMs = 0): Promise<void> {
    return new Promise((resolve) => {
      const raw = tcpConnect(port, '127.0.0.1', () => {
        const tls = tlsConnect({ socket: raw, servername: 'localhost', rejectUnauthorized: false });
        tls.on('error', () => undefined);
        const poll = setInterval(() => {
          if (raw.bytesWritten === 0) return;
          clearInterval(poll);
          setTimeout(() => raw.write(plain), afterMs);
        }, 1);
      });
      raw.on('error', () => undefined);
      raw.on('close', () => resolve());
      setTimeout(() => {
        raw.destroy();
        resolve();
      }, 1500);
    });
  }

  it('records plaintext sent into the handshake, and reads a request line in it as a plaintext request', async () => {
    const { log, server } = await start();
    await helloThenPlaintext(server.endpoint.port, 'GET /secret HTTP/1.1\r\nHost: localhost\r\n\r\n');
    await new Promise((r) => setTimeout(r, 50));
    expect(log.ofType('plaintext-after-hello')[0]?.preview).toMatch(/^GET \/secret HTTP\/1\.1/);
    expect(log.ofType('command')).toContainEqual(
      expect.objectContaining({ layer: 'plaintext', verb: 'GET', args: '/secret' }),
    );
  });

  it('records plaintext sent after the handshake completed, too', async () => {
    const { log, server } = await start();
    await helloThenPlaintext(server.endpoint.port, 'GET /late HTTP/1.1\r\n\r\n', 150);
    await new Promise((r) => setTimeout(r, 50));
    expect(log.ofType('tls-established')).toHaveLength(1);
    expect(log.ofType('command')).toContainEqual(
      expect.objectContaining({ layer: 'plaintext', verb: 'GET', args: '/late' }),
    );
  });
});

describe('scripted responses', () => {
  function get(port: number, path = '/conform/body.bin'): Promise<Buffer> {
    return new Promise((resolve) => {
      const chunks: Buffer[] = [];
      const tls = tlsConnect({ port, host: '127.0.0.1', servername: 'localhost', rejectUnauthorized: false }, () =>
        tls.write(`GET ${path} HTTP/1.1\r\nHost: localhost\r\n\r\n`),
      );
      tls.on('data', (d: Buffer) => chunks.push(d));
      tls.on('error', () => resolve(Buffer.concat(chunks)));
      tls.on('close', () => resolve(Buffer.concat(chunks)));
    });
  }

  it('answers a matching request with the script, records the rule and the reply, and leaves others to the server', async () => {
    const { log, server } = await start({
      script: [
        {
          on: { request: { path: '^/teapot$' } },
          do: [{ reply: ['HTTP/1.1 418 I am a teapot', 'Content-Length: 0', ''] }, 'close'],
        },
      ],
    });
    expect((await get(server.endpoint.port, '/teapot')).toString()).toBe(
      'HTTP/1.1 418 I am a teapot\r\nContent-Length: 0\r\n\r\n',
    );
    expect(log.ofType('fault')[0]).toMatchObject({ name: 'script-rule-1' });
    expect(log.ofType('reply')[0]).toMatchObject({ code: '418' });
    const normal = await get(server.endpoint.port);
    expect(normal.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
  });

  it('wraps the normal response: bytes before it, and TCP closed after it with no close_notify', async () => {
    const { log, server } = await start({
      body: { size: 16 },
      script: [{ on: 'request', do: [{ send: 'X-Junk\\r\\n' }, 'normal', 'close-without-notify'] }],
    });
    const body = await get(server.endpoint.port);
    expect(body.toString('latin1')).toMatch(/^X-Junk\r\nHTTP\/1\.1 200 OK/);
    expect(log.ofType('payload-sent')[0]).toMatchObject({ bytes: 16, complete: true });
  });
});
