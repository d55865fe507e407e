import type { Server, Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/** Where servers listen unless the user asks otherwise (`--bind`). */
export const LOOPBACK = '127.0.0.1';

/** Listen on an ephemeral port (each case owns its ports) and resolve with it. */
export function listenOn(server: Server, host = LOOPBACK): Promise<number> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error): void => reject(err);
    server.once('error', onError);
    server.listen({ host, port: 0, exclusive: true }, () => {
      server.off('error', onError);
      resolve((server.address() as AddressInfo).port);
    });
  });
}

/**
 * Tracks a server's sockets so that stopping the case ends every connection at
 * once instead of waiting for a stalled or hostile client to hang up.
 */
export class SocketSet {
  private readonly sockets = new Set<Socket>();

  add(socket: Socket): void {
    this.sockets.add(socket);
    socket.once('close', () => this.sockets.delete(socket));
  }

  destroyAll(): void {
    for (const socket of this.sockets) socket.destroy();
    this.sockets.clear();
  }
}

/** Close a listening server and every socket it accepted. */
export async function closeServer(server: Server, sockets: SocketSet): Promise<void> {
  sockets.destroyAll();
  await new Promise<void>((resolve) => server.close(() => resolve()));
}
