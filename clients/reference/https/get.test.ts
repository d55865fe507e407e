/** The reference client's GET exchange (https/get.ts) on real connections: the request it writes, the response it takes. */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../../certs/index.js';
import { drip, socketPair, until, type SocketPair } from '../../../tests/support/socket-pair.js';
import { tlsJob, tlsPeer, type TlsPeer } from '../../../tests/support/tls-peer.js';
import type { RunContext } from '../context.js';
import { handshake, tlsOptions } from '../tls.js';
import { exchange, getRequest } from './get.js';
import { TruncatedError } from './http-response.js';

const ctx = (...flaws: string[]): RunContext => ({
  flaws: new Set(flaws),
  signal: new AbortController().signal,
  log: () => undefined,
});
const job = (host: string, port: number) => tlsJob(host, port, '');

describe('getRequest', () => {
  it('asks for the target with a Host of name and port, brackets around an IPv6 literal, and Connection: close', () => {
    expect(getRequest(job('localhost', 8443), '/a?b=1')).toBe(
      'GET /a?b=1 HTTP/1.1\r\nHost: localhost:8443\r\nUser-Agent: conform-reference\r\nAccept: */*\r\nConnection: close\r\n\r\n',
    );
    expect(getRequest(job('::1', 443), '/')).toContain('\r\nHost: [::1]:443\r\n');
  });
});

describe('exchange over TCP', () => {
  let pair: SocketPair;
  afterEach(() => pair?.close());

  it('sends the request, then reads a chunked response that came in pieces', async () => {
    pair = await socketPair();
    const response = exchange(pair.client, job('localhost', 80), '/file', ctx());
    await until(() => pair.heard().endsWith('\r\n\r\n'));
    expect(pair.heard().startsWith('GET /file HTTP/1.1\r\n')).toBe(true);
    await drip(pair.server, [
      'HTTP/1.1 200 OK\r\nTransfer-',
      'Encoding: chunked\r\n\r\n4\r\nwiki\r\n',
      '5\r\npedia\r\n0\r',
      '\n\r\n',
    ]);
    expect((await response).body.toString()).toBe('wikipedia');
  });

  it('a Content-Length body cut by the end of the connection is refused as truncated', async () => {
    pair = await socketPair();
    const response = exchange(pair.client, job('localhost', 80), '/', ctx());
    await until(() => pair.heard().endsWith('\r\n\r\n'));
    pair.server.end('HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort');
    await expect(response).rejects.toThrow(new TruncatedError('body truncated: 5 of 10 bytes'));
  });

  it('an exchange begun after the deadline passed gives up at once', async () => {
    pair = await socketPair();
    const late = exchange(pair.client, job('localhost', 80), '/', { ...ctx(), signal: AbortSignal.abort() });
    const waited = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 500));
    await expect(Promise.race([late, waited])).rejects.toThrow('timed out waiting for the response');
  });
});

describe('exchange over TLS, a close-delimited body', () => {
  let peer: TlsPeer | undefined;
  afterEach(() => peer?.close());

  async function get(end: 'close_notify' | 'bare FIN', ...flaws: string[]) {
    const cert = await openCertStore().get('valid');
    const head = 'HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nthe body';
    peer = await tlsPeer(cert, (tls, raw) =>
      tls.once('data', () => (end === 'close_notify' ? tls.end(head) : tls.write(head, () => raw.end()))),
    );
    const j = tlsJob('localhost', peer.port, cert.caFile);
    const socket = await handshake(
      await tlsOptions(j, new Set(), false),
      new AbortController().signal,
      connect({ host: '127.0.0.1', port: peer.port }),
    );
    return exchange(socket, j, '/', ctx(...flaws));
  }

  it('is delivered when TLS ended with close_notify', async () => {
    expect((await get('close_notify')).body.toString()).toBe('the body');
  });

  it('is refused as truncated when TCP ended without close_notify (RFC 8446 §6.1), unless accept-truncated', async () => {
    await expect(get('bare FIN')).rejects.toThrow(
      new TruncatedError('close-delimited body ended without TLS close_notify'),
    );
    await peer?.close();
    expect((await get('bare FIN', 'accept-truncated')).body.toString()).toBe('the body');
  });
});
