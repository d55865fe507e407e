/**
 * The reference client's data connection (RFC 959 §3.2): passive (connect to
 * the control connection's peer, RFC 2428 §3 / CVE-2020-8284) or active
 * (listen, accept one connection); with PROT P, TLS on it with the client as
 * TLS client in both modes (RFC 4217 §7), resuming the control session.
 */
import { openTcp } from '../tcp.js';
import { createServer, type Socket, type Server, type AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import type { Job } from '../../../contract/job.js';
import type { Flaw } from '../flaw-types.js';
import { guards, handshake, Refused, tlsOptions } from '../tls.js';
import { refuseCertificate } from '../verify.js';
import { whenAborted } from '../abort.js';

export function connectTo(host: string, port: number, signal: AbortSignal): Promise<Socket> {
  return openTcp(host, port, signal, 'connecting the data channel');
}

/** Active mode: a listener on the control connection's local address, accepting one connection. */
export async function listenActive(
  host: string,
): Promise<{ server: Server; port: number; accept(signal: AbortSignal): Promise<Socket> }> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port: 0 }, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const first = new Promise<Socket>((resolve) => server.once('connection', resolve));
  return {
    server,
    port,
    accept: (signal) =>
      new Promise<Socket>((resolve, reject) => {
        const onAbort = (): void => reject(new Refused('timed out waiting for the server’s data connection'));
        const stop = whenAborted(signal, onAbort);
        void first.then((s) => {
          stop();
          server.close();
          resolve(s);
        });
      }),
  };
}

/** TLS on the data connection, offering the control connection's session for resumption (RFC 4217 §10.2). */
export async function protect(
  job: Job,
  flaws: ReadonlySet<Flaw>,
  signal: AbortSignal,
  raw: Socket,
  control: TLSSocket,
  session: Buffer | undefined,
): Promise<TLSSocket> {
  const options = await tlsOptions(job, flaws, false);
  const reuse = flaws.has('ftps-no-session-reuse') ? undefined : (session ?? control.getSession());
  const socket = await handshake({ ...options, ...(reuse ? { session: reuse } : {}) }, signal, raw);
  // A resumed session was authenticated on the control connection; it carries no certificate to check again.
  const refusal = socket.isSessionReused() ? undefined : refuseCertificate(socket, job.host, flaws);
  if (refusal) {
    socket.destroy();
    throw new Refused(`data connection: ${refusal}`);
  }
  return socket;
}

/** Reads the data connection to its end; with TLS, says whether it ended with close_notify. */
export function readAll(stream: Socket, signal: AbortSignal): Promise<{ data: Buffer; clean: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const onAbort = (): void => {
      stream.destroy();
      reject(new Refused('timed out reading the data connection'));
    };
    const stop = whenAborted(signal, onAbort);
    stream.on('data', (c: Buffer) => chunks.push(c));
    let settled = false;
    const guard = (stream as TLSSocket).encrypted ? guards.get(stream) : undefined;
    const finish = (clean: boolean): void => {
      if (settled) return;
      settled = true;
      stop();
      resolve({ data: Buffer.concat(chunks), clean });
    };
    // TLS ends before the guard passed the bare FIN on only when close_notify came (RFC 8446 §6.1).
    stream.once('end', () => finish(guard ? !guard.eofPassedOn : true));
    stream.once('close', () => finish(!guard));
    stream.on('error', () => finish(false));
  });
}
