/** The shared client-certificate option on real sockets: `request` goes on without one, `require` ends the handshake. */
import { createServer, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import type { ClientCertPolicy } from './client-cert.js';
import { EventLog } from './events.js';
import { listenOn } from './listen.js';
import { contextOptions } from './secure-context.js';
import { acceptTls } from './tls-accept.js';

const certs = openCertStore();
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

async function server(log: EventLog, clientCert: ClientCertPolicy): Promise<{ port: number; ca: string }> {
  const cert = await certs.get('valid');
  const context = createSecureContext(
    contextOptions(cert, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', clientCert }),
  );
  const s = createServer((socket: Socket) => {
    void acceptTls(socket, { log, server: 'toy', conn: log.connection(), context, clientCert }).then((r) => {
      if (r.kind === 'tls') r.socket.end('hello\n');
    });
  });
  cleanups.push(() => s.close());
  return { port: await listenOn(s), ca: cert.caPem };
}

/** Resolves with what the server sent, or the error that ended the connection. */
async function visit(port: number, ca: string, withCert: boolean): Promise<string> {
  const client = withCert ? await certs.get('client') : undefined;
  return new Promise((resolve) => {
    const c = tlsConnect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca,
      ...(client ? { cert: client.certChainPem, key: client.keyPem } : {}),
    });
    let got = '';
    c.on('data', (d: Buffer) => (got += d.toString()));
    c.on('error', (e) => resolve(`error: ${e.message}`));
    c.on('end', () => resolve(got));
  });
}

describe('client certificate option', () => {
  it('records the certificate a client presents when asked', async () => {
    const log = new EventLog();
    const { port, ca } = await server(log, 'request');
    expect(await visit(port, ca, true)).toBe('hello\n');
    expect(log.ofType('tls-established')[0]?.clientCert).toMatch(/verified/);
  });

  it('with `request`, goes on without one', async () => {
    const log = new EventLog();
    const { port, ca } = await server(log, 'request');
    expect(await visit(port, ca, false)).toBe('hello\n');
    expect(log.ofType('tls-established')[0]?.clientCert).toBeNull();
  });

  it('with `require`, ends the handshake when none comes', async () => {
    const log = new EventLog();
    const { port, ca } = await server(log, 'require');
    expect(await visit(port, ca, false)).toMatch(/certificate required/);
    expect(log.ofType('tls-established')).toEqual([]);
    expect(log.ofType('tls-failed')).toHaveLength(1);
  });

  it('with `none`, asks for nothing and trusts no client CA', async () => {
    const cert = await certs.get('valid');
    expect(
      contextOptions(cert, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3', clientCert: 'none' }).ca,
    ).toBeUndefined();
    const log = new EventLog();
    const { port, ca } = await server(log, 'none');
    expect(await visit(port, ca, true)).toBe('hello\n');
    expect(log.ofType('tls-established')[0]?.clientCert).toBeNull();
  });
});
