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
  /** What each watched stream was given to listen with, so a layer taken off (FTP's CCC) can be forgotten. */
  private readonly watchers = new Map<
    Duplex,
    { end: () => void; error: (err: NodeJS.ErrnoException) => void; close: () => void }
  >();

  constructor(
    private readonly log: EventLog,
    private readonly server: string,
    socket: Socket,
  ) {
    this.id = log.connection();
    log.record(server, 'connect', { remote: `${socket.remoteAddress}:${socket.remotePort}` }, this.id);
    log.capture?.attach(socket);
    this.watch(socket);
  }

  /** Also watch a stream layered on the socket (a TLSSocket after the upgrade). */
  adopt(stream: Duplex): void {
    this.watch(stream);
  }

  /** Stop watching a layer that is being taken off while the connection goes on (TLS shut down by CCC). */
  release(stream: Duplex): void {
    const w = this.watchers.get(stream);
    if (!w) return;
    this.watchers.delete(stream);
    stream.off('end', w.end);
    stream.off('error', w.error);
    stream.off('close', w.close);
  }

  /** Call before the server ends or destroys the connection. */
  serverCloses(): void {
    this.by ??= 'server';
  }

  private watch(stream: Duplex): void {
    const w = {
      end: () => void (this.by ??= 'client'),
      error: (err: NodeJS.ErrnoException) => void (this.by ??= err.code === 'ECONNRESET' ? 'reset' : 'server'),
      close: () => {
        if (this.closed) return;
        this.closed = true;
        this.log.record(this.server, 'close', { by: this.by ?? 'server' }, this.id);
      },
    };
    this.watchers.set(stream, w);
    stream.once('end', w.end);
    stream.on('error', w.error);
    stream.once('close', w.close);
  }
}
