import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { EventLog } from './events.js';

/**
 * Records a connection's opening and closing, and who ended it: the server (it
 * said so through `serverCloses()` before ending), the client (its FIN came
 * first), or a reset. A TLS socket that takes over the raw one is adopted, since
 * once wrapped the raw socket may no longer report the peer's FIN.
 */
export class TrackedConnection {
  readonly id: number;
  private by: 'client' | 'server' | 'reset' | undefined;
  private closed = false;

  constructor(private readonly log: EventLog, private readonly server: string, socket: Socket) {
    this.id = log.connection();
    log.record(server, 'connect', { remote: `${socket.remoteAddress}:${socket.remotePort}` }, this.id);
    log.capture?.attach(socket);
    this.watch(socket);
  }

  /** Also watch a stream layered on the socket (a TLSSocket after the upgrade). */
  adopt(stream: Duplex): void {
    this.watch(stream);
  }

  /** Call before the server ends or destroys the connection. */
  serverCloses(): void {
    this.by ??= 'server';
  }

  private watch(stream: Duplex): void {
    stream.once('end', () => (this.by ??= 'client'));
    stream.on('error', (err: NodeJS.ErrnoException) => (this.by ??= err.code === 'ECONNRESET' ? 'reset' : 'server'));
    stream.once('close', () => {
      if (this.closed) return;
      this.closed = true;
      this.log.record(this.server, 'close', { by: this.by ?? 'server' }, this.id);
    });
  }
}
