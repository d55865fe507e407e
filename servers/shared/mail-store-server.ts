/**
 * The socket shell of a mail-store server (POP3, IMAP): a TCP listener whose
 * connections run a line machine through the line session, with STARTTLS or
 * implicit TLS, a plaintext banner or a failing handshake on the implicit port
 * as faults, and message 1 of the store as the output a client must deliver.
 * Each protocol gives its machine, its faults' explanations and its URL.
 */
import { createServer } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import type { CertProfileName, MaterializedCert } from '../../certs/index.js';
import { TrackedConnection } from './connection.js';
import { type LineMachine, serveLineSession } from './line-session.js';
import { closeServer, listenOn, SocketSet } from './listen.js';
import { withScript } from './script/engine.js';
import { explainRule, type ScriptRule } from './script/schema.js';
import { type CaseTls, ContextLoans, contextOptions } from './secure-context.js';
import type { RunningServer, ServerContext } from './server-types.js';

/** The options every mail-store server shares (its schema adds its own). */
export interface MailStoreOptions extends CaseTls {
  tls: string;
  certificate: string;
  clientCert: NonNullable<CaseTls['clientCert']>;
  credentials: { user: string; pass: string };
  script: ScriptRule[];
  faults: Array<{ kind: string; text?: string }>;
}

export interface MailStoreSpec<O extends MailStoreOptions> {
  /** The server's name in events (`pop3`, `imap`). */
  name: string;
  options: O;
  ctx: ServerContext;
  /** The store's messages, message 1 first. */
  messages: Buffer[];
  /** A fresh machine for one connection. */
  machine(): LineMachine;
  explainFault(fault: O['faults'][number]): string;
  maxLine: number;
  /** The URL a client is given (docs/contract.md's CONFORM_URL). */
  url(secure: boolean, host: string, port: number): string;
}

export async function startMailStoreServer<O extends MailStoreOptions>(spec: MailStoreSpec<O>): Promise<RunningServer> {
  const { name, options, ctx } = spec;
  const cert = await ctx.cert(options.certificate as CertProfileName);
  const loans = new ContextLoans();
  const context = loans.borrow(contextFor(options, cert));
  const implicit = options.tls === 'implicit';
  // The two faults of the implicit port every mail store has (faults.ts of each protocol).
  const banner = options.faults.find((f) => f.kind === 'plaintext-banner');
  const failing = options.faults.find((f) => f.kind === 'handshake-failure');
  const sockets = new SocketSet();
  const code = `${name.toUpperCase()}_SESSION`;

  const server = createServer((socket) => {
    sockets.add(socket);
    const connection = new TrackedConnection(ctx.log, name, socket);
    // Faults of the implicit handshake happen before the machine greets, so they are recorded here.
    for (const f of implicit ? [banner, failing] : []) {
      if (f) ctx.log.record(name, 'fault', { name: f.kind, explain: spec.explainFault(f) }, connection.id);
    }
    serveLineSession(socket, {
      log: ctx.log,
      server: name,
      connection,
      context,
      clientCert: options.clientCert,
      keylog: ctx.keylog,
      implicitTls: implicit,
      ...(implicit && banner ? { plaintextBanner: `${banner.text}\r\n` } : {}),
      maxLine: spec.maxLine,
      // A machine that only reads (a script's shadow, plaintext found where TLS belonged): the store never changes.
      machine: withScript(spec.machine(), options.script, spec.machine, implicit),
      plaintextMachine: spec.machine,
    }).catch((err: Error) => {
      ctx.log.record(name, 'server-error', { code, message: err.message }, connection.id);
      socket.destroy();
    });
  });

  const port = await listenOn(server, ctx.bindHost);
  const tls = implicit ? 'implicit' : options.tls === 'none' ? 'none' : 'explicit';
  ctx.log.record(name, 'listening', { host: ctx.bindHost, port, tls });
  const hostPart = cert.host.includes(':') ? `[${cert.host}]` : cert.host;
  return {
    endpoint: { url: spec.url(implicit, hostPart, port), host: cert.host, port, tls, caFile: cert.caFile },
    expectedOutput: spec.messages[0]!,
    credentials: { ...options.credentials },
    faults: [...options.script.map(explainRule), ...options.faults.map((f) => spec.explainFault(f))],
    async stop() {
      await closeServer(server, sockets);
      loans.returnAll();
    },
  };
}

/**
 * The TLS settings of the case. The handshake-failure fault gets a context
 * whose only cipher suites are anonymous ones at TLS 1.2, which no careful
 * client offers: OpenSSL answers the ClientHello with a handshake_failure alert.
 */
function contextFor(options: MailStoreOptions, cert: MaterializedCert): SecureContextOptions {
  if (options.faults.some((f) => f.kind === 'handshake-failure')) {
    return contextOptions(cert, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'aNULL:@SECLEVEL=0' });
  }
  return contextOptions(cert, options);
}
