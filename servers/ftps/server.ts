import { createServer, type Server } from 'node:net';
import { findFault } from '../shared/fault-kit.js';
import { ContextLoans, contextOptions } from '../shared/secure-context.js';
import type { CertProfileName } from '../../certs/index.js';
import { TrackedConnection } from '../shared/connection.js';
import { listenOn, SocketSet } from '../shared/listen.js';
import { TlsSessionCache } from '../shared/tls-accept.js';
import type { RunningServer, ServerContext } from '../shared/server-types.js';
import { fromCrlf } from './commands/data.js';
import { serveControl } from './control.js';
import { explainFtpsFault, explainFtpsSetup } from './faults.js';
import { createFtpMachine } from './machine.js';
import type { FtpsOptions } from './options.js';
import { listLine, VirtualTree, FILES } from './tree.js';

const NAME = 'ftps';

/** Starts the FTPS server of one case on an ephemeral loopback port. */
export async function startFtpsServer(options: FtpsOptions, ctx: ServerContext): Promise<RunningServer> {
  const cert = await ctx.cert(options.certificate as CertProfileName);
  // One context for control and data connections: a data session can resume the control one (RFC 4217 §10.2).
  const loans = new ContextLoans();
  const context = loans.borrow(contextOptions(cert, options));
  // A data certificate of its own gets a context of its own: other ticket keys, so no control session resumes there.
  const ownDataCert = options.dataCertificate !== undefined && options.dataCertificate !== options.certificate;
  const dataContext = ownDataCert
    ? loans.borrow(contextOptions(await ctx.cert(options.dataCertificate as CertProfileName), options))
    : context;
  const implicit = options.tls === 'implicit';
  const banner = findFault(options.faults, 'plaintext-banner');
  const sockets = new SocketSet();
  const servers = new Set<Server>();
  const stopping = new AbortController();
  const trees: VirtualTree[] = [];

  const server = createServer((socket) => {
    sockets.add(socket);
    const connection = new TrackedConnection(ctx.log, NAME, socket);
    if (implicit && banner)
      ctx.log.record(NAME, 'fault', { name: banner.kind, explain: explainFtpsFault(banner) }, connection.id);
    const tree = new VirtualTree();
    trees.push(tree);
    // One session store per control connection, shared with its data connections: resuming means resuming that session.
    const sessions = new TlsSessionCache();
    serveControl(socket, {
      log: ctx.log,
      server: NAME,
      connection,
      context,
      clientCert: options.clientCert,
      sessions,
      keylog: ctx.keylog,
      implicitTls: implicit,
      dataTls: ownDataCert
        ? { context: dataContext, clientCert: options.clientCert }
        : { context, sessions, clientCert: options.clientCert },
      ...(implicit && banner ? { plaintextBanner: `${banner.text}\r\n` } : {}),
      machine: createFtpMachine(options, tree),
      plaintextMachine: () => createFtpMachine(options, new VirtualTree()),
      options,
      bindHost: ctx.bindHost,
      sockets,
      servers,
      signal: stopping.signal,
    }).catch((err: Error) => {
      ctx.log.record(NAME, 'server-error', { code: 'FTPS_SESSION', message: err.message }, connection.id);
      socket.destroy();
    });
  });

  const port = await listenOn(server, ctx.bindHost);
  const tls = implicit ? 'implicit' : options.tls === 'none' ? 'none' : 'explicit';
  ctx.log.record(NAME, 'listening', { host: ctx.bindHost, port, tls });
  const hostPart = cert.host.includes(':') ? `[${cert.host}]` : cert.host;
  const { action, file, mode, type } = options.transfer;
  const path = action === 'download' ? `/pub/${file}` : action === 'upload' ? `/upload/${file}` : '/pub/';
  const served = FILES[file];
  const prot = options.transfer.prot ?? (options.tls === 'none' ? 'C' : 'P');
  return {
    endpoint: {
      url: `${implicit ? 'ftps' : 'ftp'}://${hostPart}:${port}${path}`,
      host: cert.host,
      port,
      tls,
      caFile: cert.caFile,
    },
    ...(action === 'download' ? { expectedOutput: served } : {}),
    // A listing crosses as TYPE A text (RFC 959 §4.1.3): the client stores it with its local LF endings.
    ...(action === 'list'
      ? { expectedOutput: fromCrlf(Buffer.from(new VirtualTree().entries('/pub').map(listLine).join(''), 'latin1')) }
      : {}),
    ...(action === 'upload' ? { input: served, received: () => uploaded(trees, path, type) } : {}),
    // Anonymous FTP: the job carries no credentials, so the client chooses its anonymous login itself.
    ...(options.anonymous ? {} : { credentials: { ...options.credentials } }),
    job: { ftpMode: mode, ftpType: type, ftpProt: prot, ftpCcc: options.transfer.ccc, action },
    faults: explainFtpsSetup(options),
    async stop() {
      stopping.abort();
      for (const s of servers) s.close();
      sockets.destroyAll();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      loans.returnAll();
    },
  };
}

/** The upload as stored (the last connection's, if a client tried twice); null when nothing arrived. */
function uploaded(trees: VirtualTree[], path: string, type: 'A' | 'I'): Buffer | null {
  for (const tree of [...trees].reverse()) {
    const data = tree.uploads.get(path);
    if (data) return type === 'A' ? fromCrlf(data) : data;
  }
  return null;
}
