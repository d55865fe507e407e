/** The SOCKS5 message reader on a real socket: exact lengths across reads, ends, timeouts, handing the socket back. */
import { afterEach, describe, expect, it } from 'vitest';
import { drip, socketPair, until, type SocketPair } from '../../../tests/support/socket-pair.js';
import { SocketReader } from './reader.js';

const bytes = (hex: string): Buffer => Buffer.from(hex, 'hex');

let pair: SocketPair;
afterEach(() => pair?.close());

async function reader(signal = new AbortController().signal, ignoreEof = false): Promise<SocketReader> {
  pair = await socketPair();
  return new SocketReader(pair.client, signal, ignoreEof);
}

describe('SocketReader', () => {
  it('read(n) gives exactly n bytes, gathered across short reads, and keeps the rest for the next', async () => {
    const r = await reader();
    const first = r.read(4, 'the reply');
    await drip(pair.server, [bytes('05'), bytes('0000'), bytes('017f00')]);
    expect((await first).toString('hex')).toBe('05000001');
    pair.server.write(bytes('00011f90'));
    expect((await r.read(6, 'the address')).toString('hex')).toBe('7f0000011f90');
  });

  it("chunk() gives whatever one read brought (the single-read flaw's view)", async () => {
    const r = await reader();
    const chunk = r.chunk('the method selection');
    pair.server.write('\x05\x00\x05\x00');
    expect((await chunk).toString('hex')).toBe('05000500');
  });

  it('an end before the bytes are complete rejects, naming what was awaited', async () => {
    const r = await reader();
    pair.server.end('\x05');
    await expect(r.read(2, 'the method selection')).rejects.toThrow(
      'the proxy closed the connection before the method selection was complete',
    );
  });

  it('the deadline rejects a read as a timeout', async () => {
    const controller = new AbortController();
    const r = await reader(controller.signal);
    const read = r.read(2, 'the reply');
    controller.abort();
    await expect(read).rejects.toThrow('timed out waiting for the reply');
  });

  it('a reader made after the deadline passed gives up at once', async () => {
    const r = await reader(AbortSignal.abort());
    const waited = new Promise((resolve) => setTimeout(() => resolve('still waiting'), 500));
    await expect(Promise.race([r.read(2, 'the reply'), waited])).rejects.toThrow('timed out waiting for the reply');
  });

  it('socks5-ignore-eof goes on waiting after the end, and takes bytes that were already there', async () => {
    const r = await reader(undefined, true);
    pair.server.end('\x05\x00');
    await until(() => pair.client.readableEnded);
    expect((await r.read(2, 'the method selection')).toString('hex')).toBe('0500');
    const never = await Promise.race([
      r.read(1, 'the reply').then(() => 'read'),
      new Promise((resolve) => setTimeout(() => resolve('waiting'), 50)),
    ]);
    expect(never).toBe('waiting');
  });

  it('detach() hands over the unread bytes, paused, and says whether the proxy already ended', async () => {
    const r = await reader();
    pair.server.end('\x05\x00tail');
    await until(() => pair.client.readableEnded);
    await r.read(2, 'the method selection');
    const { rest, ended } = r.detach();
    expect(rest.toString()).toBe('tail');
    expect(ended).toBe(true);
    expect(pair.client.isPaused()).toBe(true);
  });
});
