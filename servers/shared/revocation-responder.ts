/**
 * A case's revocation responder: the CRL distribution point and OCSP
 * responder a revocation leaf points at (certs/revocation.ts), over plain
 * HTTP on the case's loopback address, as CAs publish them (RFC 5280
 * §4.2.1.13: a CRL by HTTP in DER; RFC 6960 Appendix A: OCSP by HTTP GET or
 * POST). Each fetch is recorded: a client that checks revocation online is
 * seen doing it. The listening port is known before the leaf is issued, so
 * the leaf is issued for the responder, then handed to it.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RevocableCert, RevocationUrls } from '../../certs/index.js';
import type { EventLog } from './events.js';

/** Requests bigger than this are not OCSP requests (one CertID is ~100 bytes). */
const MAX_REQUEST = 16 * 1024;

export interface RevocationResponder {
  urls: RevocationUrls;
  /** What the responder answers from now on: the case's leaf, its CRL and OCSP response. */
  serve(cert: RevocableCert): void;
  stop(): Promise<void>;
}

export async function startRevocationResponder(log: EventLog, bindHost: string): Promise<RevocationResponder> {
  let cert: RevocableCert | undefined;
  const answer = (res: ServerResponse, type: string, body: Buffer): void => {
    res.writeHead(200, { 'content-type': type, 'content-length': body.length, 'cache-control': 'no-store' });
    res.end(body);
  };
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const method = req.method ?? 'GET';
    let size = 0;
    // The body (an OCSP request) is read and dropped: the responder has one certificate to answer for.
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_REQUEST) req.destroy();
    });
    req.on('error', () => undefined);
    req.on('end', () => {
      if (cert && method === 'GET' && path === '/root.crl') {
        log.record('revocation', 'revocation-fetch', { what: 'crl', method, path });
        return answer(res, 'application/pkix-crl', cert.crl);
      }
      if (cert && (path === '/ocsp' || path.startsWith('/ocsp/')) && (method === 'POST' || method === 'GET')) {
        log.record('revocation', 'revocation-fetch', { what: 'ocsp', method, path: path.slice(0, 80) });
        return answer(res, 'application/ocsp-response', cert.ocsp);
      }
      res.writeHead(404, { 'content-length': 0 });
      res.end();
    });
  });
  server.on('clientError', (_err, socket) => socket.destroy());
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, bindHost, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  // A wildcard bind is reached on loopback; an IPv6 literal goes in brackets (RFC 3986 §3.2.2).
  const host = bindHost === '0.0.0.0' ? '127.0.0.1' : bindHost === '::' ? '::1' : bindHost;
  const base = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    urls: { crl: `${base}/root.crl`, ocsp: `${base}/ocsp` },
    serve: (c) => {
      cert = c;
    },
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
