/**
 * The servers behind the proxy, reachable only through it: an HTTP server, or
 * the HTTPS server with a certificate profile. The proxy alone resolves their
 * names (TARGET_NAME, and the certificate's host for HTTPS).
 */
import { createServer } from 'node:net';
import type { CertProfileName } from '../../certs/index.js';
import { atPath, serveOneRequest } from '../https/exchange.js';
import { makeBody } from '../https/machine.js';
import { HttpsOptionsSchema } from '../https/options.js';
import { startHttpsServer } from '../https/server.js';
import { TrackedConnection } from '../shared/connection.js';
import { closeServer, listenOn, SocketSet } from '../shared/listen.js';
import type { ServerContext } from '../shared/server-types.js';
import type { Socks5Options } from './options.js';

/** A name no resolver but the proxy's knows (`.test` is reserved, RFC 2606 §2). */
export const TARGET_NAME = 'target.conform.test';

export interface Target {
  /** The URL the client fetches through the proxy. */
  url: string;
  port: number;
  /** Names the proxy resolves to the target. */
  names: string[];
  body: Buffer;
  caFile: string;
  stop(): Promise<void>;
}

export async function startTarget(options: Socks5Options, ctx: ServerContext): Promise<Target> {
  const https = HttpsOptionsSchema.parse({ certificate: options.certificate, body: { size: options.bodySize } });
  const literal = options.address === 'ipv4' ? '127.0.0.1' : options.address === 'ipv6' ? '[::1]' : undefined;
  if (options.target === 'https') {
    const server = await startHttpsServer(https, ctx);
    const { host, port } = server.endpoint;
    return {
      url: `https://${literal ?? host}:${port}${https.path}`, port, names: [host], body: server.expectedOutput!,
      caFile: server.endpoint.caFile, stop: () => server.stop(),
    };
  }
  const body = makeBody(https.body);
  const sockets = new SocketSet();
  const server = createServer((socket) => {
    sockets.add(socket);
    const conn = new TrackedConnection(ctx.log, 'http-target', socket).id;
    serveOneRequest(socket, { log: ctx.log, server: 'http-target', conn, layer: 'plaintext', options: https, body, answer: (head) => atPath(head, https, { kind: 'body' }) });
  });
  const port = await listenOn(server, ctx.bindHost);
  ctx.log.record('http-target', 'listening', { host: ctx.bindHost, port, tls: 'none' });
  const cert = await ctx.cert('valid' as CertProfileName);
  return {
    // socks5:// asks the client to resolve the name: then it must be one it can resolve.
    url: `http://${literal ?? (options.resolve === 'local' ? 'localhost' : TARGET_NAME)}:${port}${https.path}`, port, names: [TARGET_NAME, 'localhost'], body,
    caFile: cert.caFile, stop: () => closeServer(server, sockets),
  };
}
