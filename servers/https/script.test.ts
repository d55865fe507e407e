/**
 * HTTPS scripts against real sockets on 127.0.0.1: rules at the accept, at the
 * ClientHello and at the request, raw responses (framing broken on purpose),
 * edits of the server's own response, and the cleartext twin of `{http-url}`.
 */
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { Duplex } from 'node:stream';
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

async function start(options: unknown): Promise<{ log: EventLog; port: number }> {
  const log = new EventLog();
  server = await startHttpsServer(HttpsOptionsSchema.parse(options), {
    log,
    bindHost: '127.0.0.1',
    keylog: [],
    cert: (p) => certs.get(p),
  });
  return { log, port: server.endpoint.port };
}

interface Seen {
  /** Every byte the server wrote, beneath TLS. */
  raw: Buffer;
  /** What TLS delivered (the response), if a handshake happened. */
  plain: Buffer;
  error?: string;
  /** The server ended the connection (else the wait ran out). */
  ended: boolean;
}

/**
 * A TLS client on a raw socket whose bytes are watched too: sends `request`
 * once TLS is up, and waits for the server to end the connection (or `ms`).
 * `skip`: the server's first bytes, read but kept from TLS (a banner before the handshake).
 */
function tlsExchange(
  port: number,
  request = 'GET /conform/body.bin HTTP/1.1\r\nHost: localhost\r\n\r\n',
  ms = 1500,
  skip = 0,
): Promise<Seen> {
  let skipped = 0;
  return new Promise((resolve) => {
    const raw: Buffer[] = [];
    const plain: Buffer[] = [];
    let error: string | undefined;
    // TLS over a JS stream that sees every byte (on a net.Socket it would read beneath JS).
    const under = new Duplex({
      read: () => undefined,
      write: (chunk: Buffer, _enc, cb) => void socket.write(chunk, cb),
      final: (cb) => void socket.end(cb),
    });
    const socket = tcpConnect(port, '127.0.0.1', () => {
      const tls = tlsConnect({ socket: under, servername: 'localhost', rejectUnauthorized: false }, () =>
        tls.write(request),
      );
      tls.on('data', (d: Buffer) => plain.push(d));
      tls.on('error', (err) => void (error ??= err.message));
    });
    socket.on('data', (d: Buffer) => {
      raw.push(d);
      const keep = Math.max(0, skip - skipped);
      skipped += Math.min(keep, d.length);
      if (d.length > keep) under.push(d.subarray(keep));
    });
    socket.on('end', () => under.push(null));
    socket.on('error', (err) => void (error ??= err.message));
    const done = (ended: boolean) => (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ raw: Buffer.concat(raw), plain: Buffer.concat(plain), ended, ...(error ? { error } : {}) });
    };
    const timer = setTimeout(done(false), ms);
    socket.once('close', done(true));
  });
}

/** Plain TCP: writes `bytes`, collects what comes back until the server ends (or `ms`). */
function plainExchange(port: number, bytes: string, ms = 1000): Promise<Seen> {
  return new Promise((resolve) => {
    const raw: Buffer[] = [];
    const socket: Socket = tcpConnect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (d: Buffer) => raw.push(d));
    socket.on('error', () => undefined);
    const done = (ended: boolean) => (): void => {
      clearTimeout(timer);
      socket.destroy();
      resolve({ raw: Buffer.concat(raw), plain: Buffer.alloc(0), ended });
    };
    const timer = setTimeout(done(false), ms);
    socket.once('close', done(true));
  });
}

const types = (log: EventLog): string[] =>
  log.events.map((e) => (e.type === 'fault' ? `fault ${(e as unknown as { name: string }).name}` : e.type));

describe('a connect rule', () => {
  it('writes its bytes in plaintext before any TLS, then lets the handshake go on', async () => {
    const { log, port } = await start({
      body: { size: 8 },
      script: [{ on: 'connect', do: [{ send: 'SSH-2.0-not-https\\r\\n' }] }],
    });
    const banner = 'SSH-2.0-not-https\r\n';
    const seen = await tlsExchange(port, undefined, 1500, banner.length);
    expect(seen.raw.toString('latin1').startsWith(banner)).toBe(true);
    // A client that reads the banner aside gets its handshake and its response.
    expect(seen.plain.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    const order = types(log);
    expect(order.slice(0, 3)).toEqual(['listening', 'connect', 'fault script-rule-1']);
    expect(order.indexOf('client-hello')).toBeLessThan(order.indexOf('tls-established'));
  });

  it('stalls after the accept: no hello read, nothing written, the connection kept', async () => {
    const { log, port } = await start({ script: [{ on: 'connect', do: ['stall'] }] });
    const seen = await tlsExchange(port, undefined, 400);
    expect(seen).toMatchObject({ ended: false, raw: Buffer.alloc(0) });
    expect(log.ofType('fault')).toEqual([
      expect.objectContaining({
        name: 'script-rule-1',
        explain: 'rule 1: when the connection is accepted, the server goes silent',
      }),
    ]);
    expect(log.ofType('client-hello')).toEqual([]);
  });
});

describe('a client-hello rule', () => {
  it('refuses the handshake with an alert, recorded as a failed handshake, and closes', async () => {
    const { log, port } = await start({
      script: [{ on: 'client-hello', do: [{ alert: 'protocol_version' }, 'close'] }],
    });
    const seen = await tlsExchange(port);
    expect(seen.raw).toEqual(Buffer.from([21, 3, 3, 0, 2, 2, 70]));
    expect(seen.error).toMatch(/protocol version/i);
    expect(seen.ended).toBe(true);
    expect(types(log)).toEqual(expect.arrayContaining(['client-hello', 'fault script-rule-1', 'tls-failed']));
    expect(log.ofType('tls-failed')).toEqual([
      expect.objectContaining({ error: 'SCRIPTED_ALERT', alert: 'protocol_version' }),
    ]);
    await new Promise((r) => setTimeout(r, 50));
    expect(log.ofType('close')[0]).toMatchObject({ by: 'server' });
  });

  it('answers as a plain HTTP server would, recording the reply in plaintext', async () => {
    const answer = 'HTTP/1.1 400 Bad Request\\r\\nContent-Length: 0\\r\\n\\r\\n';
    const { log, port } = await start({ script: [{ on: 'client-hello', do: [{ send: answer }, 'close'] }] });
    const seen = await tlsExchange(port);
    expect(seen.raw.toString('latin1')).toBe('HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n');
    expect(log.ofType('reply')).toEqual([
      expect.objectContaining({ layer: 'plaintext', code: '400', text: 'HTTP/1.1 400 Bad Request' }),
    ]);
    expect(log.ofType('tls-established')).toEqual([]);
  });

  it('with normal, lets the handshake go on after the rule (here, a delay)', async () => {
    const { log, port } = await start({
      body: { size: 8 },
      script: [{ on: 'client-hello', do: [{ delay: 100 }, 'normal'] }],
    });
    const seen = await tlsExchange(port);
    expect(seen.plain.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK/);
    const order = types(log);
    expect(order.indexOf('fault script-rule-1')).toBeLessThan(order.indexOf('tls-established'));
  });

  it('stalls: no ServerHello, the connection kept', async () => {
    const { log, port } = await start({ script: [{ on: 'client-hello', do: ['stall'] }] });
    const seen = await tlsExchange(port, undefined, 400);
    expect(seen).toMatchObject({ ended: false, raw: Buffer.alloc(0) });
    expect(log.ofType('client-hello')).toHaveLength(1);
    expect(log.ofType('fault')[0]).toMatchObject({ name: 'script-rule-1' });
  });

  it('resets the connection', async () => {
    const { port } = await start({ script: [{ on: 'client-hello', do: ['reset'] }] });
    const seen = await tlsExchange(port);
    expect(seen.error).toMatch(/ECONNRESET|socket disconnected/);
  });
});

describe('request rules', () => {
  it('stall after the response headers: the head whole, no body, the connection kept (cut 0)', async () => {
    const { log, port } = await start({
      body: { size: 1000, framing: 'chunked' },
      script: [{ on: 'request', do: [{ normal: { cut: 0 } }, 'stall'] }],
    });
    const seen = await tlsExchange(port, undefined, 500);
    expect(seen.ended).toBe(false);
    expect(seen.plain.toString('latin1')).toBe(
      'HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n',
    );
    expect(log.ofType('payload-sent')).toEqual([expect.objectContaining({ bytes: 0, complete: false })]);
  });

  it('cut: the body to its fraction, the Content-Length still announcing all of it', async () => {
    const { log, port } = await start({
      body: { size: 1000 },
      script: [{ on: 'request', do: [{ normal: { cut: 0.25 } }, 'close'] }],
    });
    const seen = await tlsExchange(port);
    const text = seen.plain.toString('latin1');
    expect(text).toContain('Content-Length: 1000\r\n');
    expect(seen.plain.length - (text.indexOf('\r\n\r\n') + 4)).toBe(250);
    expect(log.ofType('payload-sent')).toEqual([expect.objectContaining({ bytes: 250, complete: false })]);
  });

  it('edits the head: a field dropped, one added, bare LF line ends', async () => {
    const { port } = await start({
      body: { size: 4, kind: 'text' },
      script: [{ on: 'request', do: [{ normal: { drop: '^Content-Type', add: 'X-Scripted: yes', lineEnd: 'lf' } }] }],
    });
    const seen = await tlsExchange(port);
    expect(seen.plain.toString('latin1')).toBe(
      'HTTP/1.1 200 OK\nConnection: close\nContent-Length: 4\nX-Scripted: yes\n\nConf',
    );
  });

  it('answer a plaintext request on the TLS port too (a client that fell back)', async () => {
    const { log, port } = await start({
      script: [
        { on: { request: { method: 'get' } }, do: [{ reply: ['HTTP/1.1 200 OK', 'Content-Length: 2', '', 'ok'] }] },
      ],
    });
    const seen = await plainExchange(port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n');
    expect(seen.raw.toString('latin1')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok\r\n');
    expect(log.ofType('reply')).toEqual([expect.objectContaining({ layer: 'plaintext', code: '200' })]);
  });

  it('redirects to the cleartext twin it names as {http-url}, which serves the body and records who follows', async () => {
    const { log, port } = await start({
      body: { size: 3, kind: 'text' },
      script: [
        { on: 'request', do: [{ reply: ['HTTP/1.1 302 Found', 'Location: {http-url}', 'Content-Length: 0', ''] }] },
      ],
    });
    const seen = await tlsExchange(port);
    const location = /Location: (\S+)\r\n/.exec(seen.plain.toString('latin1'))?.[1];
    expect(location).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/conform\/body\.bin$/);
    const url = new URL(location!);
    const followed = await plainExchange(Number(url.port), `GET ${url.pathname} HTTP/1.1\r\nHost: x\r\n\r\n`);
    expect(followed.raw.toString('latin1')).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nCon$/);
    expect(log.events.filter((e) => e.server === 'http-plain').map((e) => e.type)).toEqual(
      expect.arrayContaining(['listening', 'connect', 'command', 'reply']),
    );
  });
});

describe('raw responses: framing and heads broken on purpose', () => {
  /** A rule that answers the request with these escaped bytes alone. */
  const raw = (send: string): unknown => ({ script: [{ on: 'request', do: [{ send }] }] });

  it('a chunked body with a chunk size that is no hex number', async () => {
    const { log, port } = await start(
      raw('HTTP/1.1 200 OK\\r\\nTransfer-Encoding: chunked\\r\\n\\r\\nzz\\r\\nhello\\r\\n0\\r\\n\\r\\n'),
    );
    const seen = await tlsExchange(port);
    expect(seen.plain.toString('latin1')).toBe(
      'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n',
    );
    // Written raw, the response is still recorded by its status.
    expect(log.ofType('reply')).toEqual([
      expect.objectContaining({ layer: 'tls', code: '200', text: 'HTTP/1.1 200 OK' }),
    ]);
  });

  it('a body shorter than its Content-Length, then a clean close', async () => {
    const { port } = await start(raw('HTTP/1.1 200 OK\\r\\nContent-Length: 100\\r\\n\\r\\nonly this'));
    const seen = await tlsExchange(port);
    expect(seen.plain.toString('latin1')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this');
    expect(seen.ended).toBe(true);
  });

  it('a body longer than its Content-Length (bytes a lenient client takes as the next response)', async () => {
    const { port } = await start(
      raw('HTTP/1.1 200 OK\\r\\nContent-Length: 2\\r\\n\\r\\nokHTTP/1.1 200 OK\\r\\n\\r\\n'),
    );
    const seen = await tlsExchange(port);
    expect(seen.plain.toString('latin1')).toBe('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokHTTP/1.1 200 OK\r\n\r\n');
  });

  it('a head with bare LF line ends, in hex as well as escaped', async () => {
    const { log, port } = await start({
      script: [{ on: 'request', do: [{ hex: Buffer.from('HTTP/1.1 204 No Content\n\n').toString('hex') }] }],
    });
    const seen = await tlsExchange(port);
    expect(seen.plain.toString('latin1')).toBe('HTTP/1.1 204 No Content\n\n');
    expect(log.ofType('reply')).toEqual([
      expect.objectContaining({ layer: 'tls', code: '204', text: 'HTTP/1.1 204 No Content' }),
    ]);
  });
});

describe('HTTPS script validation', () => {
  it('refuses normal: { final } at its field: an HTTP request opens no exchange for it to end', () => {
    const result = HttpsOptionsSchema.safeParse({ script: [{ on: 'request', do: [{ normal: { final: '200 OK' } }] }] });
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: ['script', 0, 'do', 0, 'normal', 'final'] });
  });
});
