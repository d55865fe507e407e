/** The line wire under the POP3 and FTP clients, on a real socket fed by a scripted server. */
import { afterEach, describe, expect, it } from 'vitest';
import { drip, socketPair, until, type SocketPair } from '../../tests/support/socket-pair.js';
import { Closed, LineWire, withoutEnding } from './line-wire.js';

let pair: SocketPair;
afterEach(() => pair?.close());

async function wire(signal = new AbortController().signal, initial?: Buffer): Promise<LineWire> {
  pair = await socketPair();
  return new LineWire(pair.client, signal, initial);
}

describe('LineWire', () => {
  it('gives lines whole, however they were split across reads, each with its own ending', async () => {
    const w = await wire();
    const first = w.rawLine();
    await drip(pair.server, ['+OK he', 'llo\r', '\nsecond\n', 'third\r\n']);
    expect((await first).toString()).toBe('+OK hello\r\n');
    expect((await w.rawLine()).toString()).toBe('second\n');
    expect(await w.line()).toBe('third');
  });

  it('reads bytes as latin1, one character each', async () => {
    const w = await wire();
    pair.server.write(Buffer.from([0x41, 0xe9, 0xff, 0x0d, 0x0a]));
    expect(await w.line()).toBe('A\u00e9\u00ff');
  });

  it("starts with the bytes it was given, before the stream's own", async () => {
    const w = await wire(undefined, Buffer.from('early\r\nhal'));
    pair.server.write('f\r\n');
    expect(await w.line()).toBe('early');
    expect(await w.line()).toBe('half');
  });

  it('throws Closed when the connection ends before a complete line, and keeps the piece for takeRest()', async () => {
    const w = await wire();
    pair.server.end('+OK\r\npartial');
    expect(await w.line()).toBe('+OK');
    await expect(w.line()).rejects.toBeInstanceOf(Closed);
    expect(w.takeRest().toString()).toBe('partial');
    await expect(w.rawLine()).rejects.toThrow('the connection closed before a complete line');
  });

  it('refuses a line over 1 MiB without waiting for its end', async () => {
    const w = await wire();
    const line = w.rawLine();
    pair.server.write(Buffer.alloc((1 << 20) + 1, 0x61));
    await expect(line).rejects.toThrow(`the server sent a line over ${1 << 20} bytes`);
  });

  it('refuses a line over 1 MiB even when its end came in the same read', async () => {
    const w = await wire(undefined, Buffer.concat([Buffer.alloc((1 << 20) + 1, 0x61), Buffer.from('\r\n')]));
    await expect(w.rawLine()).rejects.toThrow(`the server sent a line over ${1 << 20} bytes`);
  });

  it('detach() stops reading and hands over what was received and not read; later bytes stay in the socket', async () => {
    const w = await wire();
    pair.server.write('+OK begin TLS\r\ninjected\r\n');
    await until(() => pair.client.bytesRead === 25);
    expect(await w.line()).toBe('+OK begin TLS');
    expect(w.detach().toString()).toBe('injected\r\n');
    pair.server.write('\x16\x03\x01');
    await until(() => pair.client.readableLength === 3);
    expect(pair.client.isPaused()).toBe(true);
    expect(w.takeRest().length).toBe(0);
  });

  it('an abort while waiting rejects and destroys the connection', async () => {
    const controller = new AbortController();
    const w = await wire(controller.signal);
    const line = w.line();
    controller.abort();
    await expect(line).rejects.toThrow('timed out waiting for the server');
    expect(pair.client.destroyed).toBe(true);
  });

  it('write() sends the text as it is', async () => {
    const w = await wire();
    w.write('CAPA\r\n');
    await until(() => pair.heard().length >= 6);
    expect(pair.heard()).toBe('CAPA\r\n');
  });
});

describe('withoutEnding', () => {
  it('takes away CRLF or a bare LF, and nothing else', () => {
    expect(withoutEnding(Buffer.from('a\r\n')).toString()).toBe('a');
    expect(withoutEnding(Buffer.from('a\n')).toString()).toBe('a');
    expect(withoutEnding(Buffer.from('a\n\n')).toString()).toBe('a\n');
  });
});
