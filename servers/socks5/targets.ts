/**
 * The servers behind the proxy, reachable only through it: an HTTP server, or
 * the HTTPS server with a certificate profile (CONNECT); the peer that
 * connects back (BIND); a UDP service (UDP ASSOCIATE). The proxy alone
 * resolves their names (TARGET_NAME, and the certificate's host for HTTPS).
 */
import { createServer } from 'node:net';
import { domainToASCII } from 'node:url';
import type { CertProfileName } from '../../certs/index.js';
import { atPath, serveOneRequest } from '../https/exchange.js';
import { makeBody } from '../https/machine.js';
import { HttpsOptionsSchema } from '../https/options.js';
import { startHttpsServer } from '../https/server.js';
import { TrackedConnection } from '../shared/connection.js';
import { closeServer, listenOn, SocketSet } from '../shared/listen.js';
import type { ServerContext } from '../shared/server-types.js';
import { longHost } from './long-names.js';
import type { Socks5Options } from './options.js';
import { clientInput, startBindPeer, startUdpTarget } from './peers.js';

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
  /** What the client is given to send (BIND, UDP ASSOCIATE), and what of it arrived. */
  input?: Buffer;
  received?: () => Buffer | null;
  /** BIND: the peer connects to the proxy's listener at this port now. */
  connectPeer?: (port: number) => void;
  stop(): Promise<void>;
}

export async function startTarget(options: Socks5Options, ctx: ServerContext): Promise<Target> {
  const https = HttpsOptionsSchema.parse({
    certificate: options.certificate,
    clientCert: options.clientCert,
    body: { size: options.bodySize },
  });
  const literal = options.address === 'ipv4' ? '127.0.0.1' : options.address === 'ipv6' ? '[::1]' : undefined;
  // The name only the proxy resolves: TARGET_NAME, or one of `longNames.host` bytes (RFC 1928 §5 limits).
  const remote = options.longNames.host === undefined ? TARGET_NAME : longHost(options.longNames.host);
  // socks5:// asks the client to resolve the name: then it must be one it can resolve.
  const host = literal ?? (options.resolve === 'local' ? 'localhost' : remote);
  const names = [...new Set([TARGET_NAME, remote, 'localhost'])];
  if (options.command !== 'connect') {
    const body = makeBody(https.body);
    const input = clientInput();
    const cert = await ctx.cert('valid' as CertProfileName);
    const common = { names, body, input, caFile: cert.caFile };
    if (options.command === 'bind') {
      const peer = await startBindPeer(body, input, ctx);
      return {
        ...common,
        url: `tcp://${host}:${peer.port}`,
        port: peer.port,
        received: peer.received,
        connectPeer: (port) => peer.connectTo(ctx.bindHost, port),
        stop: peer.stop,
      };
    }
    const udp = await startUdpTarget(body, input, ctx);
    return { ...common, url: `udp://${host}:${udp.port}`, port: udp.port, received: udp.received, stop: udp.stop };
  }
  if (options.target === 'https') {
    const server = await startHttpsServer(https, ctx);
    const { host, port } = server.endpoint;
    // An internationalized host crosses the wire as its A-label, as DNS would be asked for it (RFC 5890 §2.3.2.1).
    const names = [...new Set([host, domainToASCII(host) || host])];
    return {
      url: `https://${literal ?? host}:${port}${https.path}`,
      port,
      names,
      body: server.expectedOutput!,
      caFile: server.endpoint.caFile,
      stop: () => server.stop(),
    };
  }
  const body = makeBody(https.body);
  const sockets = new SocketSet();
  const server = createServer((socket) => {
    sockets.add(socket);
    const conn = new TrackedConnection(ctx.log, 'http-target', socket).id;
    serveOneRequest(socket, {
      log: ctx.log,
      server: 'http-target',
      conn,
      layer: 'plaintext',
      options: https,
      body,
      answer: (head) => atPath(head, https, { kind: 'body' }),
    });
  });
  const port = await listenOn(server, ctx.bindHost);
  ctx.log.record('http-target', 'listening', { host: ctx.bindHost, port, tls: 'none' });
  const cert = await ctx.cert('valid' as CertProfileName);
  return {
    url: `http://${host}:${port}${https.path}`,
    port,
    names,
    body,
    caFile: cert.caFile,
    stop: () => closeServer(server, sockets),
  };
}
