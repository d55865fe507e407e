/** Both ends of one real TCP connection on 127.0.0.1, for unit tests of code that reads a socket. */
import { connect, createServer, type AddressInfo, type Socket } from 'node:net';

export interface SocketPair {
  /** The end the code under test reads and writes. */
  client: Socket;
  /** The end the test scripts (a server, a proxy). */
  server: Socket;
  /** Everything the client has written so far, as latin1 text. */
  heard(): string;
  close(): void;
}

/** Connects a client to a one-shot listener on port 0 and hands over both ends, connected. */
export async function socketPair(): Promise<SocketPair> {
  const listener = createServer();
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  const accepted = new Promise<Socket>((resolve) => listener.once('connection', resolve));
  const client = connect((listener.address() as AddressInfo).port, '127.0.0.1');
  const [server] = await Promise.all([accepted, new Promise((resolve) => client.once('connect', resolve))]);
  listener.close();
  server.setNoDelay(true);
  let heard = '';
  server.on('data', (d: Buffer) => (heard += d.toString('latin1')));
  return {
    client,
    server,
    heard: () => heard,
    close: () => {
      client.destroy();
      server.destroy();
    },
  };
}

/** Writes the parts one at a time, a few milliseconds apart, so that the reader gets them as separate chunks. */
export async function drip(socket: Socket, parts: readonly (string | Buffer)[], gapMs = 5): Promise<void> {
  for (const part of parts) {
    socket.write(part);
    await new Promise((resolve) => setTimeout(resolve, gapMs));
  }
}

/** Waits until `ok()` holds, polling every 5 ms; throws after `ms`. */
export async function until(ok: () => boolean, ms = 2000): Promise<void> {
  const end = Date.now() + ms;
  while (!ok()) {
    if (Date.now() > end) throw new Error('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
