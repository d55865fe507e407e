/** The reference client's FTP data connection helpers on real sockets: reading to the end, accepting, the deadline. */
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { socketPair, type SocketPair } from '../../../tests/support/socket-pair.js';
import { listenActive, readAll } from './data.js';

let pair: SocketPair | undefined;
afterEach(() => pair?.close());
const later = (ms: number, value: string): Promise<string> =>
  new Promise((resolve) => setTimeout(() => resolve(value), ms));

describe('readAll', () => {
  it('reads a plain data connection to its end, which counts as clean without TLS', async () => {
    pair = await socketPair();
    const all = readAll(pair.client, new AbortController().signal);
    pair.server.write('part one, ');
    pair.server.end('part two');
    expect(await all).toEqual({ data: Buffer.from('part one, part two'), clean: true });
  });

  it('one begun after the deadline passed gives up at once', async () => {
    pair = await socketPair();
    await expect(
      Promise.race([readAll(pair.client, AbortSignal.abort()), later(500, 'still waiting')]),
    ).rejects.toThrow('timed out reading the data connection');
  });
});

describe('listenActive', () => {
  it('accepts the one connection the server opens, then stops listening', async () => {
    const listener = await listenActive('127.0.0.1');
    const peer = connect({ host: '127.0.0.1', port: listener.port });
    const accepted = await listener.accept(new AbortController().signal);
    expect(accepted.remotePort).toBe(peer.localPort);
    expect(listener.server.listening).toBe(false);
    accepted.destroy();
    peer.destroy();
  });

  it('waiting for it after the deadline passed gives up at once', async () => {
    const listener = await listenActive('127.0.0.1');
    await expect(Promise.race([listener.accept(AbortSignal.abort()), later(500, 'still waiting')])).rejects.toThrow(
      'timed out waiting for the server’s data connection',
    );
    listener.server.close();
  });
});
