/** The reference client's TLS layer (tls.ts) against real servers on 127.0.0.1: SNI, client certificates, failures, leaks. */
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCertStore, type MaterializedCert } from '../../certs/index.js';
import { until } from '../../tests/support/socket-pair.js';
import { tlsJob, tlsPeer, type TlsPeer } from '../../tests/support/tls-peer.js';
import { openTcp } from './tcp.js';
import { afterHello, HandshakeFailed, handshake, Refused, secureConnection, tlsOptions } from './tls.js';

let valid: MaterializedCert;
let client: MaterializedCert;
let peer: TlsPeer;
/** What the server saw of each handshake, recorded as it completed. */
const seen: { servername: string | false; clientCN: string | string[] | undefined }[] = [];

beforeAll(async () => {
  const store = openCertStore();
  [valid, client] = await Promise.all([store.get('valid'), store.get('client')]);
  const record = (tls: TLSSocket): void => {
    seen.push({ servername: tls.servername ?? false, clientCN: tls.getPeerCertificate()?.subject?.CN });
    tls.end();
  };
  peer = await tlsPeer(valid, record, { requestCert: true, ca: valid.clientCaPem });
});
afterAll(() => peer.close());

const never = (): AbortSignal => new AbortController().signal;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const raw = (port: number): Socket => connect({ host: '127.0.0.1', port });

/** Completes a handshake with the flaws given; returns what the server saw of it. */
async function session(host: string, flaws: string[] = [], more = {}) {
  const job = tlsJob(host, peer.port, valid.caFile, more);
  const socket = await handshake(await tlsOptions(job, new Set(flaws), false), never(), raw(peer.port));
  await until(() => seen.length > 0);
  socket.destroy();
  return seen.pop()!;
}

describe('tlsOptions', () => {
  it('sends the host as SNI, none for an IP literal (RFC 6066 §3), none with omit-sni, another with wrong-sni', async () => {
    expect((await session('localhost')).servername).toBe('localhost');
    expect((await session('127.0.0.1')).servername).toBeFalsy();
    expect((await session('localhost', ['omit-sni'])).servername).toBeFalsy();
    expect((await session('localhost', ['wrong-sni'])).servername).toBe('other.example');
  });

  it('presents the client certificate it was given, unless no-client-cert', async () => {
    const withCert = { clientCert: client.certChainFile, clientKey: client.keyFile };
    expect((await session('localhost', [], withCert)).clientCN).toBe('conform-client');
    expect((await session('localhost', ['no-client-cert'], withCert)).clientCN).toBeUndefined();
  });

  it('offers TLS 1.2 at least, TLS 1.0 only with accept-legacy-tls, and TLS 1.0 alone for a legacy-only retry', async () => {
    const job = tlsJob('localhost', 1, valid.caFile);
    expect(await tlsOptions(job, new Set(), false)).toMatchObject({
      minVersion: 'TLSv1.2',
      maxVersion: 'TLSv1.3',
      rejectUnauthorized: false,
    });
    expect(await tlsOptions(job, new Set(['accept-legacy-tls']), false)).toMatchObject({
      minVersion: 'TLSv1',
      maxVersion: 'TLSv1.3',
    });
    expect(await tlsOptions(job, new Set(), true)).toMatchObject({ minVersion: 'TLSv1', maxVersion: 'TLSv1' });
  });
});

/** A plain TCP server that records what it receives and acts on each connection. */
const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));
async function plain(onConnection: (socket: Socket, heard: () => Buffer) => void): Promise<number> {
  const server = createServer((socket) => {
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    onConnection(socket, () => Buffer.concat(chunks));
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

describe('failures', () => {
  it('a server that closes after the ClientHello fails the handshake (HandshakeFailed)', async () => {
    const port = await plain((socket) => socket.once('data', () => socket.destroy()));
    const job = tlsJob('localhost', port, valid.caFile);
    await expect(secureConnection(job, new Set(), never(), raw(port))).rejects.toBeInstanceOf(HandshakeFailed);
  });

  it('a server that never answers is given up on at the deadline (Refused)', async () => {
    const port = await plain(() => undefined);
    const controller = new AbortController();
    const pending = secureConnection(tlsJob('localhost', port, valid.caFile), new Set(), controller.signal, raw(port));
    setTimeout(() => controller.abort(), 50);
    await expect(pending).rejects.toThrow(new Refused('timed out during the handshake'));
  });

  it('a handshake begun after the deadline passed gives up at once, and openTcp() too', async () => {
    const port = await plain(() => undefined);
    const late = handshake(
      await tlsOptions(tlsJob('localhost', port, valid.caFile), new Set(), false),
      AbortSignal.abort(),
      raw(port),
    );
    await expect(Promise.race([late, sleep(500).then(() => 'still waiting')])).rejects.toThrow(
      new Refused('timed out during the handshake'),
    );
    await expect(
      Promise.race([openTcp('127.0.0.1', port, AbortSignal.abort()), sleep(500).then(() => 'connected')]),
    ).rejects.toThrow(new Refused('timed out connecting'));
  });
});

describe('the leaks of the plaintext flaws', () => {
  it('afterHello() writes right behind the ClientHello, before any answer', async () => {
    let heard = (): Buffer => Buffer.alloc(0);
    const port = await plain((_socket, h) => (heard = h));
    const socket = raw(port);
    afterHello(socket, () => socket.write('LEAK'));
    const controller = new AbortController();
    const pending = handshake(
      await tlsOptions(tlsJob('localhost', port, valid.caFile), new Set(), false),
      controller.signal,
      socket,
    );
    pending.catch(() => undefined);
    await until(() => heard().subarray(-4).toString() === 'LEAK');
    expect(heard()[0]).toBe(0x16); // a TLS handshake record first
    controller.abort();
  });

  it('answer-plaintext-banner answers a plaintext banner on an implicit-TLS port with its login, then gives up', async () => {
    let heard = (): Buffer => Buffer.alloc(0);
    const port = await plain((socket, h) => {
      heard = h;
      socket.write('+OK POP3 ready\r\n');
    });
    const job = tlsJob('localhost', port, valid.caFile, { protocol: 'pop3', user: 'ann', pass: 'pw' });
    await expect(secureConnection(job, new Set(['answer-plaintext-banner']), never(), raw(port))).rejects.toThrow(
      'the server spoke plaintext on an implicit-TLS port',
    );
    expect(heard().toString()).toBe('USER ann\r\nPASS pw\r\n');
  });
});
