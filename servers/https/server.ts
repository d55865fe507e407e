import { createServer, type Socket } from 'node:net';
import { findFault } from '../shared/fault-kit.js';
import type { SecureContextOptions } from 'node:tls';
import { ContextLoans, contextOptions } from '../shared/secure-context.js';
import { closeServer, listenOn, SocketSet } from '../shared/listen.js';
import { acceptTls } from '../shared/tls-accept.js';
import { TrackedConnection } from '../shared/connection.js';
import { peekFirstBytes, captureClientHello, TLS_HANDSHAKE_RECORD } from '../shared/client-hello.js';
import { preview } from '../shared/events.js';
import type { RunningServer, ServerContext } from '../shared/server-types.js';
import type { CertProfileName, MaterializedCert } from '../../certs/index.js';
import { ALERT_CODES, explainHttpsFault, type HttpsFault } from './faults.js';
import { makeBody, plaintextRequest, simpleResponse } from './machine.js';
import type { HttpsOptions } from './options.js';
import { explainRule, type HttpsScriptRule } from '../shared/script/schema.js';
import { atPath, HttpsScript, namesHttpUrl, playRule, serveOneRequest, type Answer } from './exchange.js';
import type { HttpRequestHead } from './machine.js';

const NAME = 'https';

/** Starts the HTTPS server of one case on an ephemeral loopback port. */
export async function startHttpsServer(options: HttpsOptions, ctx: ServerContext): Promise<RunningServer> {
  const cert = await ctx.cert(options.certificate as CertProfileName);
  const loans = new ContextLoans();
  const context = loans.borrow(contextFor(options, cert));
  const body = makeBody(options.body);
  const fault = <K extends HttpsFault['kind']>(kind: K) => findFault(options.faults, kind);
  const sockets = new SocketSet();
  // The cleartext twin a redirect points to: the named fault's, or a script's `{http-url}`.
  const plain =
    fault('redirect-plain-http') || namesHttpUrl(options.script) ? await startPlainHttp(options, ctx, body) : undefined;

  const server = createServer((socket) => {
    sockets.add(socket);
    const tracked = new TrackedConnection(ctx.log, NAME, socket);
    const conn = tracked.id;
    void handle(socket, tracked).catch((err: Error) => {
      ctx.log.record(NAME, 'server-error', { code: 'HTTPS_HANDLER', message: err.message }, conn);
      socket.destroy();
    });
  });

  async function handle(socket: Socket, tracked: TrackedConnection): Promise<void> {
    const conn = tracked.id;
    // The script's count of firings is the connection's: every connection meets the same misbehaviour.
    const script = options.script.length ? new HttpsScript(options.script) : undefined;
    const stage = {
      log: ctx.log,
      server: NAME,
      conn,
      raw: socket,
      closing: () => tracked.serverCloses(),
      ...(plain ? { httpUrl: plain.url } : {}),
    };
    const opening = script?.at('connect');
    // A `connect` rule speaks first, in plaintext, before any TLS; with no ending, the handshake follows.
    if (
      opening !== undefined &&
      (await playRule(socket, { ...stage, layer: 'plaintext' }, script!.rules[opening]!, opening, () => undefined)) !==
        undefined
    ) {
      // Stalled or ended: the client's bytes are read (and dropped) so its hang-up is seen.
      socket.resume();
      return;
    }
    const stall = fault('stall');
    if (stall?.after === 'accept') return carriedOut(stall, conn, undefined);
    const plainHttp = fault('plain-http');
    if (plainHttp) return carriedOut(plainHttp, conn, servePlainHttp(socket, conn));
    const result = await acceptTls(socket, {
      log: ctx.log,
      server: NAME,
      conn,
      context,
      keylog: ctx.keylog,
      plaintext: plaintextRequest,
      clientCert: options.clientCert,
      ...(options.alpn ? { alpn: options.alpn } : {}),
      beforeHandshake: async (raw) => {
        const hello = script?.at('client-hello');
        if (hello !== undefined) return scriptedHello(raw, script!.rules[hello]!, hello);
        if (stall?.after === 'hello') return carriedOut(stall, conn, 'stop');
        const close = fault('close-after-hello');
        if (close) {
          tracked.serverCloses();
          raw.destroy();
          return carriedOut(close, conn, 'stop');
        }
        const alert = fault('handshake-alert');
        if (alert) {
          carriedOut(alert, conn, null);
          tracked.serverCloses();
          // A fatal alert record, outside any handshake: type 21, TLS 1.2 record version, level 2.
          raw.end(Buffer.from([21, 3, 3, 0, 2, 2, ALERT_CODES[alert.alert]]));
          return 'stop';
        }
        return 'continue';
      },
    });

    /**
     * A `client-hello` rule, before the server answers the hello: its bytes go
     * out in plaintext, then the handshake if it says `normal`; else its
     * ending, or silence while what the client sends is recorded.
     */
    async function scriptedHello(raw: Socket, rule: HttpsScriptRule, index: number): Promise<'continue' | 'stop'> {
      const ending = await playRule(raw, { ...stage, layer: 'plaintext', hello: true }, rule, index, () => undefined);
      return ending === undefined && rule.do.some((a) => a === 'normal') ? 'continue' : 'stop';
    }

    const scriptOn = script ? { script } : {};
    if (result.kind === 'plaintext') {
      // As nginx does: a plaintext request on the TLS port gets a cleartext 400 (unless a request rule answers it).
      serveOneRequest(socket, {
        ...exchangeBase(conn, 'plaintext'),
        ...stage,
        ...scriptOn,
        answer: () => ({
          kind: 'raw',
          bytes: simpleResponse('400 Bad Request', [], 'The plain HTTP request was sent to HTTPS port'),
        }),
      });
      socket.resume();
      return;
    }
    if (result.kind !== 'tls') return;
    if (options.clientCert === 'require' && !result.socket.getPeerCertificate()?.subject) {
      ctx.log.record(NAME, 'reply', { layer: 'tls', code: '403', text: 'client certificate required' }, conn);
      result.socket.end(simpleResponse('403 Forbidden', [], 'client certificate required'));
      return;
    }
    const tlsSocket = result.socket;
    tracked.adopt(tlsSocket);
    serveOneRequest(tlsSocket, {
      ...exchangeBase(conn, 'tls'),
      ...stage,
      ...scriptOn,
      answer: (head) => tlsAnswer(head, conn),
      finish: fault('no-close-notify')
        ? () => {
            carriedOut(fault('no-close-notify')!, conn, null);
            tracked.serverCloses();
            // End TCP under the TLS layer once the response is flushed: no close_notify.
            tlsSocket.write(Buffer.alloc(0), () => socket.end());
          }
        : undefined,
    });
  }

  function tlsAnswer(head: HttpRequestHead, conn: number): Answer {
    const stall = fault('stall');
    if (stall?.after === 'request') return carriedOut(stall, conn, { kind: 'stall' });
    if (fault('redirect-plain-http'))
      return carriedOut(fault('redirect-plain-http')!, conn, {
        kind: 'raw',
        bytes: simpleResponse('302 Found', [`Location: ${plain!.url}`]),
      });
    const truncate = fault('truncate-body');
    if (truncate) carriedOut(truncate, conn, null);
    if (stall?.after === 'headers') carriedOut(stall, conn, null);
    return atPath(head, options, {
      kind: 'body',
      ...(truncate ? { truncateAt: truncate.at } : {}),
      stallAfterHeaders: stall?.after === 'headers',
    });
  }

  /** Records that a fault was carried out (reports explain it), passing a value through. */
  function carriedOut<T>(f: HttpsFault, conn: number, value: T): T {
    ctx.log.record(NAME, 'fault', { name: f.kind, explain: explainHttpsFault(f) }, conn);
    return value;
  }

  /** The `plain-http` fault: a cleartext HTTP server sits on the TLS port. */
  async function servePlainHttp(socket: Socket, conn: number): Promise<void> {
    const first = await peekFirstBytes(socket);
    if (!first) return;
    if (first[0] === TLS_HANDSHAKE_RECORD) {
      ctx.log.record(NAME, 'client-hello', await captureClientHello(socket), conn);
      ctx.log.record(
        NAME,
        'reply',
        { layer: 'plaintext', code: '400', text: 'cleartext answer to a ClientHello' },
        conn,
      );
      socket.end(simpleResponse('400 Bad Request', [], 'This is a plain HTTP server'));
      socket.resume();
      return;
    }
    ctx.log.record(NAME, 'plaintext-on-tls-port', { preview: preview(first) }, conn);
    serveOneRequest(socket, {
      ...exchangeBase(conn, 'plaintext'),
      answer: (head) => atPath(head, options, { kind: 'body' }),
    });
    socket.resume();
  }

  function exchangeBase(conn: number, layer: 'plaintext' | 'tls') {
    return { log: ctx.log, server: NAME, conn, layer, options, body } as const;
  }

  const port = await listenOn(server, ctx.bindHost);
  ctx.log.record(NAME, 'listening', { host: ctx.bindHost, port, tls: 'implicit' });
  const hostPart = cert.host.includes(':') ? `[${cert.host}]` : cert.host;
  return {
    endpoint: {
      url: `https://${hostPart}:${port}${options.path}`,
      host: cert.host,
      port,
      tls: 'implicit',
      caFile: cert.caFile,
    },
    expectedOutput: body,
    faults: [...options.script.map(explainRule), ...options.faults.map(explainHttpsFault)],
    async stop() {
      await closeServer(server, sockets);
      await plain?.stop();
      loans.returnAll();
    },
  };
}

function contextFor(options: HttpsOptions, cert: MaterializedCert): SecureContextOptions {
  return contextOptions(cert, {
    minVersion: options.minVersion,
    maxVersion: options.maxVersion,
    ...(options.ciphers ? { ciphers: options.ciphers } : {}),
    clientCert: options.clientCert,
  });
}

interface PlainHttp {
  url: string;
  stop(): Promise<void>;
}

/** A cleartext HTTP listener that the redirect fault points to, recording whoever follows. */
async function startPlainHttp(options: HttpsOptions, ctx: ServerContext, body: Buffer): Promise<PlainHttp> {
  const sockets = new SocketSet();
  const server = createServer((socket) => {
    sockets.add(socket);
    const conn = new TrackedConnection(ctx.log, 'http-plain', socket).id;
    serveOneRequest(socket, {
      log: ctx.log,
      server: 'http-plain',
      conn,
      layer: 'plaintext',
      options,
      body,
      answer: (head) => atPath(head, options, { kind: 'body' }),
    });
  });
  const port = await listenOn(server, ctx.bindHost);
  ctx.log.record('http-plain', 'listening', { host: ctx.bindHost, port, tls: 'none' });
  return { url: `http://${ctx.bindHost}:${port}${options.path}`, stop: () => closeServer(server, sockets) };
}
