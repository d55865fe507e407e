import { TLSSocket, type SecureContext } from 'node:tls';
import type { Server, Socket } from 'node:net';
import { EventEmitter } from 'node:events';
import type { EventFields, EventLog } from './events.js';
import { preview } from './events.js';
import { captureClientHello, peekFirstBytes, TLS_HANDSHAKE_RECORD } from './client-hello.js';
import { PlaintextTap, type PlaintextParser } from './plaintext-tap.js';
import { SocketLease, type Cleared } from './socket-lease.js';
import { redactText } from './redact.js';
import type { ClientCertPolicy } from './client-cert.js';
import { handshakeSettings } from './secure-context.js';

export interface TlsAcceptOptions {
  log: EventLog;
  server: string;
  conn: number;
  context: SecureContext;
  /** Ask the client for a certificate (verified against the context's CA). Default false. */
  requestCert?: boolean;
  /**
   * The shared client-certificate option (client-cert.ts): `request` asks,
   * `require` asks and ends the handshake when no certificate comes. Default
   * `none`, unless `requestCert` asks.
   */
  clientCert?: ClientCertPolicy;
  /** ALPN protocols the server selects from, in preference order. Default none. */
  alpn?: string[];
  /** Collects NSS key log lines, so captures can be decrypted. */
  keylog?: string[];
  /**
   * A session-ID cache shared with other accepts (TLS 1.2 resumption without
   * tickets, RFC 5246 §7.4.1.2). Tickets need only the same SecureContext.
   * Default none: a session ID offered for resumption is never found.
   */
  sessions?: TlsSessionCache;
  /**
   * Runs after the ClientHello was recorded and before the handshake: a fault
   * may answer the hello itself (an alert, a plaintext reply) and return 'stop'.
   */
  beforeHandshake?: (
    socket: Socket,
    hello: EventFields['client-hello'],
  ) => Promise<'continue' | 'stop'> | 'continue' | 'stop';
  /**
   * Reads plaintext lines found after the ClientHello as the protocol's commands
   * (plaintext-tap.ts). Default: the plaintext is recorded, not parsed.
   */
  plaintext?: PlaintextParser;
}

export type TlsAcceptResult =
  /**
   * `clear`: FTP's CCC (RFC 4217 §5): writes the go-ahead inside TLS, shuts
   * TLS down with close_notify, and hands the raw socket back for plaintext
   * (undefined if the connection ended first).
   */
  | { kind: 'tls'; socket: TLSSocket; clear: (goAhead: string | Buffer) => Promise<Cleared | undefined> }
  /** The client spoke first in plaintext; its bytes are left unread in the socket. */
  | { kind: 'plaintext'; first: Buffer }
  | { kind: 'closed' }
  | { kind: 'failed'; error: string }
  | { kind: 'stopped' };

/**
 * A server-side TLS session store. Node resumes a session by ID only through
 * the `newSession` / `resumeSession` events of the socket's `server`; these
 * TLSSockets have no tls.Server, so the cache stands in for one (an emitter
 * with exactly those two listeners). Sockets accepted with the same cache can
 * resume each other's sessions, and `isSessionReused()` then tells so.
 */
export class TlsSessionCache {
  private readonly sessions = new Map<string, Buffer>();
  /** What the TLSSocket takes as its `server`: only these two events are ever emitted on it. */
  readonly emitter = new EventEmitter();

  /** `max`: sessions kept, oldest dropped first. Default 32. */
  constructor(private readonly max = 32) {
    this.emitter.on('newSession', (id: Buffer, data: Buffer, done: () => void) => {
      this.sessions.set(id.toString('hex'), data);
      if (this.sessions.size > this.max) this.sessions.delete(this.sessions.keys().next().value!);
      done();
    });
    this.emitter.on('resumeSession', (id: Buffer, found: (err: Error | null, data: Buffer | null) => void) => {
      found(null, this.sessions.get(id.toString('hex')) ?? null);
    });
  }

  get size(): number {
    return this.sessions.size;
  }
}

/**
 * Accepts TLS on a raw socket the way an implicit-TLS port or a STARTTLS upgrade
 * needs it: tells plaintext from a ClientHello, records the hello, lets a fault
 * intervene, then performs the handshake and records its outcome.
 */
export async function acceptTls(socket: Socket, opts: TlsAcceptOptions): Promise<TlsAcceptResult> {
  const { log, server, conn } = opts;
  const first = await peekFirstBytes(socket);
  if (!first) return { kind: 'closed' };
  if (first[0] !== TLS_HANDSHAKE_RECORD) {
    log.record(
      server,
      'plaintext-on-tls-port',
      { preview: preview(Buffer.from(redactText(first.toString('latin1')), 'latin1')) },
      conn,
    );
    return { kind: 'plaintext', first };
  }
  let hello: EventFields['client-hello'];
  try {
    hello = await captureClientHello(socket);
  } catch (err) {
    log.record(server, 'tls-failed', { error: `unparseable ClientHello: ${(err as Error).message}` }, conn);
    return { kind: 'failed', error: (err as Error).message };
  }
  log.record(server, 'client-hello', hello, conn);
  const { groups, refuseAlpn } = handshakeSettings(opts.context);
  if (refuseAlpn && hello.alpn.length) {
    log.record(
      server,
      'fault',
      {
        name: 'alpn-refused',
        explain: `the server supports none of the offered protocols (${hello.alpn.join(', ')}): it ends the handshake with no_application_protocol`,
      },
      conn,
    );
  }
  if (groups && hello.versions.includes('TLSv1.3') && !(hello.keyShares ?? []).some((g) => groups.includes(g))) {
    // RFC 8446 §4.1.1: no key share in a group the server accepts; OpenSSL answers with a HelloRetryRequest naming one.
    log.record(
      server,
      'fault',
      {
        name: 'hello-retry',
        explain: `the server accepts only ${groups.join(', ')}, which the client did not key-share: it asks again with a HelloRetryRequest`,
      },
      conn,
    );
  }
  // From the hello on, whatever is not a TLS record is plaintext the client leaked (the hello is back at the buffer's front).
  const tap = new PlaintextTap(socket, { log, server, conn }, opts.plaintext);
  if (opts.beforeHandshake && (await opts.beforeHandshake(socket, hello)) === 'stop') {
    // Keep reading (and discarding) so the client's hang-up is seen when it happens.
    socket.resume();
    return { kind: 'stopped' };
  }
  const result = await handshake(socket, opts, tap);
  // A client that talked plaintext into the handshake may have more to say: hear it before the connection ends.
  if (result.kind === 'failed') await tap.linger();
  return result;
}

/**
 * The `server` a bare TLSSocket reports to: the session cache's emitter, and
 * for a revocation leaf one that also answers the client's status request
 * (RFC 6066 §8) with the staple, recording that it was asked. Node asks a
 * socket's server for a staple only when it has an `OCSPRequest` listener
 * and `_sharedCreds` (what a tls.Server has; here the case's context).
 */
function serverFor(
  opts: TlsAcceptOptions,
  log: TlsAcceptOptions['log'],
  name: string,
  conn: number | undefined,
): { server: Server } | undefined {
  const { staple } = handshakeSettings(opts.context);
  if (staple === undefined) return opts.sessions ? { server: opts.sessions.emitter as unknown as Server } : undefined;
  const emitter = Object.assign(new EventEmitter(), { _sharedCreds: opts.context });
  const sessions = opts.sessions?.emitter;
  if (sessions) {
    for (const event of ['newSession', 'resumeSession'])
      emitter.on(event, (...args: unknown[]) => sessions.emit(event, ...args));
  }
  emitter.on('OCSPRequest', (_cert: Buffer, _issuer: Buffer, done: (err: Error | null, response?: Buffer) => void) => {
    log.record(name, 'ocsp-staple', { stapled: staple !== null }, conn);
    done(null, staple ?? undefined);
  });
  return { server: emitter as unknown as Server };
}

function handshake(socket: Socket, opts: TlsAcceptOptions, tap: PlaintextTap): Promise<TlsAcceptResult> {
  const { log, server, conn } = opts;
  const lease = new SocketLease(socket);
  const tlsSocket = new TLSSocket(lease, {
    isServer: true,
    secureContext: opts.context,
    requestCert: opts.requestCert ?? (opts.clientCert !== undefined && opts.clientCert !== 'none'),
    // Judged from the event log, not by refusing here: record what was presented. On a bare TLSSocket
    // (no tls.Server) this flag only sets OpenSSL's SSL_VERIFY_FAIL_IF_NO_PEER_CERT: with `require`, a
    // client with no certificate gets an alert in the handshake; a certificate is still recorded, not judged.
    rejectUnauthorized: opts.clientCert === 'require',
    // RFC 7301 §3.2: a selection that finds nothing makes OpenSSL send the fatal no_application_protocol alert.
    ...(handshakeSettings(opts.context).refuseAlpn
      ? { ALPNCallback: () => undefined }
      : opts.alpn
        ? { ALPNProtocols: opts.alpn }
        : {}),
    ...(serverFor(opts, log, server, conn) ?? {}),
  });
  if (opts.keylog) tlsSocket.on('keylog', (line: Buffer) => opts.keylog!.push(line.toString('latin1').trimEnd()));
  socket.resume();
  return new Promise((resolve) => {
    let settled = false;
    const onSecure = (): void => {
      if (settled) return;
      settled = true;
      tlsSocket.off('error', onError);
      const peer = tlsSocket.getPeerCertificate();
      // tls.Server sets `authorized` from OpenSSL's verify result; a bare TLSSocket does not, so ask the handle as it does.
      const verifyError = (
        tlsSocket as unknown as { _handle?: { verifyError(): (Error & { code?: string }) | null } }
      )._handle?.verifyError();
      log.record(
        server,
        'tls-established',
        {
          version: tlsSocket.getProtocol() ?? 'unknown',
          cipher: tlsSocket.getCipher()?.standardName ?? 'unknown',
          resumed: tlsSocket.isSessionReused(),
          alpn: tlsSocket.alpnProtocol || null,
          clientCert:
            peer && peer.subject
              ? `${peer.subject.CN ?? ''} (${verifyError ? (verifyError.code ?? verifyError.message) : 'verified'})`
              : null,
        },
        conn,
      );
      let cleared = false;
      // The TLS session's end is the connection's (as with any TLS server), once plaintext sent into it was heard; not after CCC.
      tlsSocket.once('close', () => void (cleared || tap.linger().then(() => socket.destroySoon())));
      const clear = (goAhead: string | Buffer): Promise<Cleared | undefined> => {
        cleared = true;
        // Plaintext from now on is the session's own, not a leak.
        tap.stop();
        return lease.clear(tlsSocket, goAhead);
      };
      if (handshakeSettings(opts.context).renegotiate && tlsSocket.getProtocol() === 'TLSv1.2')
        renegotiate(tlsSocket, opts);
      resolve({ kind: 'tls', socket: tlsSocket, clear });
    };
    const onError = (err: NodeJS.ErrnoException): void => {
      if (settled) return;
      settled = true;
      tlsSocket.off('secure', onSecure);
      const alert = /alert (.+?)(?: \(|$)|SSL alert number (\d+)/.exec(err.message);
      log.record(
        server,
        'tls-failed',
        { error: err.code ?? err.message, ...(alert ? { alert: alert[1] ?? alert[2] } : {}) },
        conn,
      );
      tlsSocket.destroy();
      resolve({ kind: 'failed', error: err.message });
    };
    // A client that hangs up mid-handshake may end the socket without an error.
    const onClose = (): void =>
      onError(
        Object.assign(new Error('the connection closed during the handshake'), { code: 'CLOSED_DURING_HANDSHAKE' }),
      );
    tlsSocket.once('secure', onSecure);
    tlsSocket.once('error', onError);
    tlsSocket.once('close', onClose);
    // The duplex between them does not always pass the raw socket's end on to TLS.
    socket.once('close', () => setImmediate(onClose));
  });
}

/**
 * A HelloRequest (RFC 5246 §7.4.1.1) right after the handshake: the client may
 * renegotiate (securely, RFC 5746) or decline with a no_renegotiation warning.
 * What it did is recorded: a second tls-established, or tls-failed.
 */
function renegotiate(tlsSocket: TLSSocket, opts: TlsAcceptOptions): void {
  const { log, server, conn } = opts;
  log.record(
    server,
    'fault',
    {
      name: 'renegotiate',
      explain: 'the server asks for a renegotiation (HelloRequest) as soon as the TLS 1.2 handshake is done',
    },
    conn,
  );
  const asked = tlsSocket.renegotiate({ rejectUnauthorized: false }, (err) => {
    if (err)
      log.record(
        server,
        'tls-failed',
        { error: `renegotiation: ${(err as NodeJS.ErrnoException).code ?? err.message}` },
        conn,
      );
    else
      log.record(
        server,
        'tls-established',
        {
          version: tlsSocket.getProtocol() ?? 'unknown',
          cipher: tlsSocket.getCipher()?.standardName ?? 'unknown',
          resumed: false,
          alpn: tlsSocket.alpnProtocol || null,
          clientCert: null,
        },
        conn,
      );
  });
  if (!asked) log.record(server, 'tls-failed', { error: 'renegotiation: the socket was already gone' }, conn);
}
