/** The upgrade helper on real sockets: pipelined bytes are recorded, injected bytes sent with the go-ahead. */
import { createServer, connect, type Socket } from 'node:net';
import { connect as tlsConnect, createSecureContext } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { EventLog } from './events.js';
import { LineReader } from './line-reader.js';
import { listenOn } from './listen.js';
import { upgradeToTls } from './starttls.js';

const certs = openCertStore();
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));

/** A toy line protocol: "STARTTLS" upgrades, with an optional injection. */
async function toyServer(log: EventLog, inject?: Buffer): Promise<number> {
  const cert = await certs.get('valid');
  const context = createSecureContext({ key: cert.keyPem, cert: cert.certChainPem });
  const server = createServer((socket: Socket) => {
    const reader = new LineReader();
    const conn = log.connection();
    const onData = (chunk: Buffer): void => {
      reader.push(chunk);
      for (let line = reader.next(); line !== undefined; line = reader.next()) {
        if (line !== 'STARTTLS') continue;
        socket.off('data', onData);
        socket.pause();
        void upgradeToTls(socket, {
          log,
          server: 'toy',
          conn,
          context,
          leftover: reader.takeRest(),
          goAhead: Buffer.from('220 go ahead\r\n'),
          ...(inject ? { inject } : {}),
        }).then((r) => {
          if (r.kind === 'tls') r.socket.end('inside TLS\n');
        });
        return;
      }
    };
    socket.on('data', onData);
  });
  cleanups.push(() => server.close());
  return listenOn(server);
}

describe('STARTTLS upgrade helper', () => {
  it('records a command pipelined after STARTTLS (command injection)', async () => {
    const log = new EventLog();
    const port = await toyServer(log);
    await new Promise<void>((resolve) => {
      const s = connect(port, '127.0.0.1', () => s.write('STARTTLS\r\nMAIL FROM:<evil@example>\r\n'));
      s.once('data', () => {
        s.destroy();
        resolve();
      });
    });
    await new Promise((r) => setTimeout(r, 50));
    expect(log.ofType('pipelined-before-tls')[0]).toMatchObject({
      by: 'client',
      tlsRecord: false,
      preview: 'MAIL FROM:<evil@example>\\r\\n',
    });
  });

  it('writes injected bytes with the go-ahead, then completes the handshake', async () => {
    const log = new EventLog();
    const port = await toyServer(log, Buffer.from('250-INJECTED\r\n'));
    const cert = await certs.get('valid');
    const seen = await new Promise<string>((resolve) => {
      const raw = connect(port, '127.0.0.1', () => raw.write('STARTTLS\r\n'));
      raw.once('data', (greeting: Buffer) => {
        const t = tlsConnect({ socket: raw, servername: 'localhost', ca: cert.caPem });
        let inside = '';
        t.on('data', (d: Buffer) => (inside += d.toString()));
        t.on('end', () => resolve(`${greeting.toString()}|${inside}`));
      });
    });
    expect(seen).toBe('220 go ahead\r\n250-INJECTED\r\n|inside TLS\n');
    expect(log.ofType('tls-established')).toHaveLength(1);
    expect(log.ofType('pipelined-before-tls')).toHaveLength(0);
  });
});
