import { createServer } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { ContextLoans, contextOptions } from '../shared/secure-context.js';
import type { CertProfileName, MaterializedCert } from '../../certs/index.js';
import { TrackedConnection } from '../shared/connection.js';
import { serveLineSession } from '../shared/line-session.js';
import { closeServer, listenOn, SocketSet } from '../shared/listen.js';
import type { RunningServer, ServerContext } from '../shared/server-types.js';
import { explainPop3Fault } from './faults.js';
import { findFault } from '../shared/fault-kit.js';
import { createPop3Machine, MAX_LINE } from './machine.js';
import { withScript } from '../shared/script/engine.js';
import { explainRule } from '../shared/script/schema.js';
import { makeMessages } from './mailbox.js';
import type { Pop3Options } from './options.js';

const NAME = 'pop3';

/** Starts the POP3 server of one case on an ephemeral loopback port. */
export async function startPop3Server(options: Pop3Options, ctx: ServerContext): Promise<RunningServer> {
  const cert = await ctx.cert(options.certificate as CertProfileName);
  const loans = new ContextLoans();
  const context = loans.borrow(contextFor(options, cert));
  const messages = makeMessages(options.mailbox);
  const implicit = options.tls === 'implicit';
  const banner = findFault(options.faults, 'plaintext-banner');
  const failing = findFault(options.faults, 'handshake-failure');
  const sockets = new SocketSet();

  /** A machine that only reads (a script's shadow, plaintext found where TLS belonged); the maildrop is never changed. */
  const reader = (): ReturnType<typeof createPop3Machine> => createPop3Machine(options, messages);

  const server = createServer((socket) => {
    sockets.add(socket);
    const connection = new TrackedConnection(ctx.log, NAME, socket);
    // Faults of the implicit handshake happen before the machine greets, so they are recorded here.
    for (const f of implicit ? [banner, failing] : []) {
      if (f) ctx.log.record(NAME, 'fault', { name: f.kind, explain: explainPop3Fault(f) }, connection.id);
    }
    serveLineSession(socket, {
      log: ctx.log,
      server: NAME,
      connection,
      context,
      clientCert: options.clientCert,
      keylog: ctx.keylog,
      implicitTls: implicit,
      ...(implicit && banner ? { plaintextBanner: `${banner.text}\r\n` } : {}),
      maxLine: MAX_LINE,
      machine: withScript(createPop3Machine(options, messages), options.script, reader, implicit),
      plaintextMachine: reader,
    }).catch((err: Error) => {
      ctx.log.record(NAME, 'server-error', { code: 'POP3_SESSION', message: err.message }, connection.id);
      socket.destroy();
    });
  });

  const port = await listenOn(server, ctx.bindHost);
  const tls = implicit ? 'implicit' : options.tls === 'none' ? 'none' : 'explicit';
  ctx.log.record(NAME, 'listening', { host: ctx.bindHost, port, tls });
  const hostPart = cert.host.includes(':') ? `[${cert.host}]` : cert.host;
  return {
    endpoint: {
      url: `${implicit ? 'pop3s' : 'pop3'}://${hostPart}:${port}`,
      host: cert.host,
      port,
      tls,
      caFile: cert.caFile,
    },
    expectedOutput: messages[0]!,
    credentials: { ...options.credentials },
    faults: [...options.script.map(explainRule), ...options.faults.map(explainPop3Fault)],
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
function contextFor(options: Pop3Options, cert: MaterializedCert): SecureContextOptions {
  if (findFault(options.faults, 'handshake-failure')) {
    return contextOptions(cert, { minVersion: 'TLSv1.2', maxVersion: 'TLSv1.2', ciphers: 'aNULL:@SECLEVEL=0' });
  }
  return contextOptions(cert, options);
}
