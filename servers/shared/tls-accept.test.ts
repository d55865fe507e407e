/** TLS accept on real sockets: TLS 1.2 session-ID resumption through a shared session cache. */
import { createServer, type Socket } from 'node:net';
import { constants } from 'node:crypto';
import { connect as tlsConnect, createSecureContext, type SecureContext } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from './events.js';
import { listenOn } from './listen.js';
import { acceptTls, TlsSessionCache } from './tls-accept.js';

const certs = openCertStore();
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** A TLS 1.2 server without session tickets, so only a session ID can resume; each accept may get a cache. */
async function server(
  log: EventLog,
  cacheFor: () => TlsSessionCache | undefined,
): Promise<{ port: number; ca: string }> {
  const cert = await certs.get('valid');
  const context: SecureContext = createSecureContext({
    key: cert.keyPem,
    cert: cert.certChainPem,
    maxVersion: 'TLSv1.2',
    secureOptions: constants.SSL_OP_NO_TICKET,
  });
  const s = createServer((socket: Socket) => {
    const sessions = cacheFor();
    void acceptTls(socket, {
      log,
      server: 'toy',
      conn: log.connection(),
      context,
      ...(sessions ? { sessions } : {}),
    }).then((r) => {
      if (r.kind === 'tls') r.socket.end('hello\n');
    });
  });
  cleanups.push(() => s.close());
  return { port: await listenOn(s), ca: cert.caPem };
}

/** One TLS 1.2 connection, offering `session`; resolves with the session to offer next. */
function visit(port: number, ca: string, session?: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const c = tlsConnect({
      port,
      host: '127.0.0.1',
      servername: 'localhost',
      ca,
      maxVersion: 'TLSv1.2',
      ...(session ? { session } : {}),
    });
    let latest: Buffer | undefined;
    c.on('session', (s: Buffer) => (latest = s));
    c.on('error', reject);
    c.resume();
    c.once('end', () => resolve(latest ?? c.getSession()!));
  });
}

const resumed = (log: EventLog): boolean[] => log.ofType('tls-established').map((e) => e.resumed);

describe('acceptTls session cache', () => {
  it('resumes a TLS 1.2 session by its ID when both accepts share a cache', async () => {
    const log = new EventLog();
    const shared = new TlsSessionCache();
    const { port, ca } = await server(log, () => shared);
    const first = await visit(port, ca);
    await visit(port, ca, first);
    expect(resumed(log)).toEqual([false, true]);
    expect(shared.size).toBe(1);
  });

  it('does not resume across caches, nor without one', async () => {
    for (const cacheFor of [() => new TlsSessionCache(), () => undefined]) {
      const log = new EventLog();
      const { port, ca } = await server(log, cacheFor);
      const first = await visit(port, ca);
      await visit(port, ca, first);
      expect(resumed(log)).toEqual([false, false]);
    }
  });

  it('keeps at most its bound of sessions', async () => {
    const log = new EventLog();
    const shared = new TlsSessionCache(2);
    const { port, ca } = await server(log, () => shared);
    for (let i = 0; i < 4; i++) await visit(port, ca);
    expect(shared.size).toBe(2);
  });
});
