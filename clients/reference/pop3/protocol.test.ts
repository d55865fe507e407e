/** POP3 replies as the reference client reads them (RFC 1939 §3, RFC 2449 §5), from a scripted server on a real socket. */
import { afterEach, describe, expect, it } from 'vitest';
import { drip, socketPair, until, type SocketPair } from '../../../tests/support/socket-pair.js';
import { Closed, LineWire } from '../line-wire.js';
import { capa, command, multiline, mustSucceed, reply, ServerRefused } from './protocol.js';

let pair: SocketPair;
afterEach(() => pair?.close());

async function wire(): Promise<LineWire> {
  pair = await socketPair();
  return new LineWire(pair.client, new AbortController().signal);
}

const strict = { unstuff: true, acceptTruncated: false };

describe('status lines', () => {
  it('reads +OK and -ERR with their text, and a bare indicator', async () => {
    const w = await wire();
    pair.server.write('+OK maildrop ready\r\n-ERR no such message\r\n+OK\r\n-ERR\r\n');
    expect(await reply(w)).toEqual({ ok: true, text: 'maildrop ready' });
    expect(await reply(w)).toEqual({ ok: false, text: 'no such message' });
    expect(await reply(w)).toEqual({ ok: true, text: '' });
    expect(await reply(w)).toEqual({ ok: false, text: '' });
  });

  it('refuses anything else, lower case and a glued word included', async () => {
    for (const line of ['+ok fine', '+OKAY', '* OK IMAP', '']) {
      const w = await wire();
      pair.server.write(`${line}\r\n`);
      await expect(reply(w), line).rejects.toThrow(`not a POP3 status line: ${JSON.stringify(line)}`);
      pair.close();
    }
  });

  it('command() sends the line; mustSucceed() turns -ERR into ServerRefused naming the step, not the secret', async () => {
    const w = await wire();
    pair.server.write('+OK\r\n-ERR bad password\r\n');
    await until(() => pair.client.bytesRead > 0);
    expect((await command(w, 'USER ann')).ok).toBe(true);
    const err = await mustSucceed(w, 'PASS hunter2', 'PASS').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerRefused);
    expect((err as Error).message).toBe('the server refused PASS: -ERR bad password');
    await until(() => pair.heard().length >= 24);
    expect(pair.heard()).toBe('USER ann\r\nPASS hunter2\r\n');
  });
});

describe('multi-line replies', () => {
  it('end at the "." line, take away the stuffed dot, and keep every line\'s bytes and ending', async () => {
    const w = await wire();
    const body = multiline(w, strict);
    await drip(pair.server, ['line one\r\n..dot', 'ted\r\n...\r\n', '.\r', '\nnext reply\r\n']);
    expect((await body).toString()).toBe('line one\r\n.dotted\r\n..\r\n');
    expect(await w.line()).toBe('next reply');
  });

  it('pop3-no-unstuffing keeps the stuffed dot', async () => {
    const w = await wire();
    pair.server.write('..dotted\r\n.\r\n');
    expect((await multiline(w, { unstuff: false, acceptTruncated: false })).toString()).toBe('..dotted\r\n');
  });

  it('a close before the "." line is a truncation (Closed), naming how many lines came', async () => {
    const w = await wire();
    pair.server.end('one\r\ntwo\r\nhal');
    const err = await multiline(w, strict).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Closed);
    expect((err as Error).message).toMatch(/^the multi-line reply was cut short after 2 lines/);
  });

  it('pop3-accept-truncated-retr takes the close for the end, the unterminated piece included', async () => {
    const w = await wire();
    pair.server.end('one\r\ntwo\r\nhal');
    expect((await multiline(w, { unstuff: true, acceptTruncated: true })).toString()).toBe('one\r\ntwo\r\nhal');
  });
});

describe('capa', () => {
  it('sends CAPA and reads keywords and arguments, upper-cased (RFC 2449 §5)', async () => {
    const w = await wire();
    pair.server.write(
      '+OK capability list follows\r\nUSER\r\nsasl plain LOGIN\r\nSTLS\r\nIMPLEMENTATION conform  test\r\n.\r\n',
    );
    const caps = await capa(w);
    await until(() => pair.heard().length >= 6);
    expect(pair.heard()).toBe('CAPA\r\n');
    expect(caps).toEqual(
      new Map([
        ['USER', []],
        ['SASL', ['PLAIN', 'LOGIN']],
        ['STLS', []],
        ['IMPLEMENTATION', ['CONFORM', 'TEST']],
      ]),
    );
  });

  it('is null when the server does not know CAPA', async () => {
    const w = await wire();
    pair.server.write('-ERR unknown command\r\n');
    expect(await capa(w)).toBeNull();
  });
});
