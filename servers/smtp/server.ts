import { createServer, type Socket } from 'node:net';
import type { SecureContextOptions } from 'node:tls';
import { ContextLoans, contextOptions } from '../shared/secure-context.js';
import type { Duplex } from 'node:stream';
import type { CertProfileName, MaterializedCert } from '../../certs/index.js';
import { TrackedConnection } from '../shared/connection.js';
import type { EventLog } from '../shared/events.js';
import { serveLineSession } from '../shared/line-session.js';
import { closeServer, listenOn, SocketSet } from '../shared/listen.js';
import type { RunningServer, ServerContext } from '../shared/server-types.js';
import { explainSmtpFault, findFault } from './faults.js';
import { SmtpMachine } from './machine.js';
import { withScript } from '../shared/script/engine.js';
import { explainRule } from '../shared/script/schema.js';
import { makeMessage } from './message.js';
import type { SmtpOptions } from './options.js';
import type { Mailbox } from './session.js';

const NAME = 'smtp';

/** RFC 5321 §4.5.3.1.4-6 allow 512-byte commands and 1000-byte text lines; be lenient, as Postfix is. */
const MAX_LINE = 4096;

/**
 * Tells the machine where each chunk of input starts, on the raw socket and on
 * the TLS socket the shell adopts after an upgrade, so that it can see which
 * commands a client pipelined (RFC 2920). The listener runs before the shell's
 * own, so the machine hears of a chunk before any of its lines.
 */
class ChunkWatchingConnection extends TrackedConnection {
  constructor(
    log: EventLog,
    socket: Socket,
    private readonly onChunk: () => void,
  ) {
    super(log, NAME, socket);
    socket.on('data', onChunk);
  }

  override adopt(stream: Duplex): void {
    super.adopt(stream);
    stream.on('data', this.onChunk);
  }
}

/** Starts the SMTP server of one case on an ephemeral loopback port. */
export async function startSmtpServer(options: SmtpOptions, ctx: ServerContext): Promise<RunningServer> {
  const cert = await ctx.cert(options.certificate as CertProfileName);
  const loans = new ContextLoans();
  const context = loans.borrow(contextFor(options, cert));
  const implicit = options.tls === 'implicit';
  const mailbox: Mailbox = { message: null };
  const sockets = new SocketSet();
  const banner = findFault(options.faults, 'plaintext-banner');
  const alert = findFault(options.faults, 'handshake-failure');

  /** A machine that only reads (a script's shadow, plaintext found where TLS belonged), with a mailbox of its own: evidence, never a delivery. */
  const reader = (): SmtpMachine => new SmtpMachine(options, { message: null }, implicit);

  const server = createServer((socket) => {
    sockets.add(socket);
    const machine = new SmtpMachine(options, mailbox, implicit);
    const connection = new ChunkWatchingConnection(ctx.log, socket, () => machine.newChunk());
    const conn = connection.id;
    // Faults the shell carries out before the machine speaks are recorded here.
    if (implicit)
      for (const f of [banner, alert])
        if (f) ctx.log.record(NAME, 'fault', { name: f.kind, explain: explainSmtpFault(f) }, conn);
    socket.on('error', () => undefined);
    serveLineSession(socket, {
      log: ctx.log,
      server: NAME,
      connection,
      context,
      clientCert: options.clientCert,
      keylog: ctx.keylog,
      implicitTls: implicit,
      maxLine: MAX_LINE,
      machine: withScript(machine, options.script, reader, implicit),
      plaintextMachine: reader,
      ...(banner && implicit ? { plaintextBanner: banner.text } : {}),
    }).catch((err: Error) => {
      ctx.log.record(NAME, 'server-error', { code: 'SMTP_SESSION', message: err.message }, conn);
      socket.destroy();
    });
  });

  const port = await listenOn(server, ctx.bindHost);
  const tls = implicit ? 'implicit' : options.tls === 'none' ? 'none' : 'explicit';
  ctx.log.record(NAME, 'listening', { host: ctx.bindHost, port, tls });
  const hostPart = cert.host.includes(':') ? `[${cert.host}]` : cert.host;
  const withAuth = options.auth.mechanisms.length > 0;
  return {
    endpoint: {
      url: `${implicit ? 'smtps' : 'smtp'}://${hostPart}:${port}`,
      host: cert.host,
      port,
      tls,
      caFile: cert.caFile,
    },
    input: makeMessage(options.messageSize),
    received: () => mailbox.message,
    ...(withAuth ? { credentials: { user: options.auth.user, pass: options.auth.pass } } : {}),
    job: { mailFrom: options.envelope.from, mailTo: options.envelope.to },
    faults: [...options.script.map(explainRule), ...options.faults.map(explainSmtpFault)],
    async stop() {
      await closeServer(server, sockets);
      loans.returnAll();
    },
  };
}

function contextFor(options: SmtpOptions, cert: MaterializedCert): SecureContextOptions {
  if (findFault(options.faults, 'handshake-failure')) {
    // A suite no usual client offers (OpenSSL and GnuTLS leave CCM_8 out by default): the handshake ends in an alert.
    return contextOptions(cert, { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: 'TLS_AES_128_CCM_8_SHA256' });
  }
  return contextOptions(cert, options);
}
