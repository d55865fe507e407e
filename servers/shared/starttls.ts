import type { Socket } from 'node:net';
import type { EventLog } from './events.js';
import { preview } from './events.js';
import { acceptTls, type TlsAcceptOptions, type TlsAcceptResult } from './tls-accept.js';
import { TLS_HANDSHAKE_RECORD } from './client-hello.js';

export interface UpgradeOptions extends TlsAcceptOptions {
  /**
   * Bytes the line reader already holds past the upgrade command: anything the
   * client pipelined after STARTTLS / STLS / AUTH TLS, before the server's go-ahead.
   */
  leftover: Buffer;
  /** The go-ahead reply ("220 Ready to start TLS"), written before the handshake. */
  goAhead: Buffer;
  /** Bytes a fault injects in the same write as the go-ahead (CVE-2021-22947's trigger). */
  inject?: Buffer;
}

/**
 * The STARTTLS-style upgrade: records what either side pipelined before the
 * handshake, writes the go-ahead (and any injected bytes) in one write, and
 * hands the socket to acceptTls. A client's pipelined command is evidence of a
 * command-injection weakness (RFC 3207 §5, CVE-2011-0411); bytes that are a
 * ClientHello sent early are put back for the handshake.
 */
export async function upgradeToTls(socket: Socket, opts: UpgradeOptions): Promise<TlsAcceptResult> {
  const { log, server, conn, leftover } = opts;
  if (leftover.length) {
    const isHello = leftover[0] === TLS_HANDSHAKE_RECORD;
    recordPipelined(log, server, conn, leftover, isHello);
    socket.unshift(leftover);
  }
  socket.write(opts.inject ? Buffer.concat([opts.goAhead, opts.inject]) : opts.goAhead);
  return acceptTls(socket, opts);
}

function recordPipelined(log: EventLog, server: string, conn: number, bytes: Buffer, isHello: boolean): void {
  log.record(
    server,
    'pipelined-before-tls',
    { by: 'client', bytes: bytes.length, preview: preview(bytes), tlsRecord: isHello },
    conn,
  );
}
