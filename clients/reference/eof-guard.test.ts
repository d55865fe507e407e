/** The EOF guard under each TLS socket tells a close_notify from a bare TCP FIN (RFC 8446 §6.1), on real connections. */
import { connect } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCertStore, type MaterializedCert } from '../../certs/index.js';
import { tlsJob, tlsPeer, type TlsPeer } from '../../tests/support/tls-peer.js';
import { guards, handshake, tlsOptions } from './tls.js';

let cert: MaterializedCert;
beforeAll(async () => {
  cert = await openCertStore().get('valid');
});
let peer: TlsPeer | undefined;
afterEach(() => peer?.close());

/** Connects to `peer`, asks, reads to the end, and says what came and whether the guard passed a bare FIN on. */
async function readToEnd(): Promise<{ data: string; eofPassedOn: boolean }> {
  const job = tlsJob('localhost', peer!.port, cert.caFile);
  const socket: TLSSocket = await handshake(
    await tlsOptions(job, new Set(), false),
    new AbortController().signal,
    connect({ host: '127.0.0.1', port: peer!.port }),
  );
  socket.write('ask');
  let data = '';
  socket.on('data', (c: Buffer) => (data += c.toString()));
  await new Promise((resolve) => socket.once('end', resolve));
  const eofPassedOn = guards.get(socket)!.eofPassedOn;
  socket.destroy();
  return { data, eofPassedOn };
}

describe('EofGuard', () => {
  it('a server that ends TLS with close_notify: the TLS socket ends before the FIN is passed on', async () => {
    // In answer to a request, as servers do (Node sends no close_notify for a TLS 1.3 session ended right after its handshake).
    peer = await tlsPeer(cert, (tls) => tls.once('data', () => tls.end('bye')));
    expect(await readToEnd()).toEqual({ data: 'bye', eofPassedOn: false });
  });

  it('a server that ends TCP under TLS, without close_notify: the end comes from the bare FIN', async () => {
    peer = await tlsPeer(cert, (tls, raw) => tls.once('data', () => tls.write('cut', () => raw.end())));
    expect(await readToEnd()).toEqual({ data: 'cut', eofPassedOn: true });
  });
});
