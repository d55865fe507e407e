/** Lent contexts on real sockets: a ticket resumes within the loan that issued it, never after the context is lent again. */
import { createServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket, type SecureContext } from 'node:tls';
import { afterEach, describe, expect, it } from 'vitest';
import { openCertStore } from '../../certs/index.js';
import { listenOn } from './listen.js';
import { ContextLoans, contextOptions } from './secure-context.js';

const certs = openCertStore();
const servers: Server[] = [];
afterEach(() => servers.splice(0).forEach((s) => s.close()));

async function serve(context: SecureContext): Promise<number> {
  const s = createServer((socket: Socket) => {
    const tls = new TLSSocket(socket, { isServer: true, secureContext: context });
    tls.on('error', () => undefined);
    tls.once('secure', () => tls.end('hello\n'));
  });
  servers.push(s);
  return listenOn(s);
}

/** One TLS 1.3 connection offering `session`; resolves with whether it was resumed and the ticket it got. */
async function connectOnce(
  port: number,
  ca: string,
  session?: Buffer,
): Promise<{ reused: boolean; ticket: Buffer | undefined }> {
  return new Promise((resolve, reject) => {
    let ticket: Buffer | undefined;
    const c = tlsConnect({ host: '127.0.0.1', port, servername: 'localhost', ca, ...(session ? { session } : {}) });
    c.on('session', (s: Buffer) => (ticket = s));
    c.on('error', reject);
    c.on('data', () => undefined);
    c.on('end', () => resolve({ reused: c.isSessionReused(), ticket }));
  });
}

describe('lent secure contexts', () => {
  it('are lent again after the server is done, and the earlier case’s ticket no longer resumes', async () => {
    const cert = await certs.get('valid');
    const options = contextOptions(cert, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3' });
    const first = new ContextLoans();
    const context = first.borrow(options);
    const port = await serve(context);
    const one = await connectOnce(port, cert.caPem);
    expect(one.ticket).toBeDefined();
    // Within the case, the ticket resumes: the server's keys are those that issued it.
    expect((await connectOnce(port, cert.caPem, one.ticket)).reused).toBe(true);
    first.returnAll();

    const second = new ContextLoans();
    // Another case with the same options gets the same context back, under new ticket keys.
    expect(second.borrow(options)).toBe(context);
    expect((await connectOnce(port, cert.caPem, one.ticket)).reused).toBe(false);
    second.returnAll();
  });

  it('never lends one context to two servers at once', async () => {
    const cert = await certs.get('valid');
    const options = contextOptions(cert, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' });
    const a = new ContextLoans();
    const b = new ContextLoans();
    expect(a.borrow(options)).not.toBe(b.borrow(options));
    a.returnAll();
    b.returnAll();
  });

  it('lowers the OpenSSL security level only for legacy versions and weak certificates', async () => {
    const valid = await certs.get('valid');
    expect(contextOptions(valid, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.3' }).ciphers ?? '').not.toMatch(
      /SECLEVEL=0/,
    );
    expect(contextOptions(valid, { minVersion: 'TLSv1', maxVersion: 'TLSv1.3' }).ciphers).toBe('DEFAULT:@SECLEVEL=0');
  });
});
