/** Steps of the reference client's SMTP submission: message data (RFC 5321 §4.5.2), EHLO capabilities, AUTH. */
import type { Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { Job } from '../../../contract/job.js';
import { socketPair, type SocketPair } from '../../../tests/support/socket-pair.js';
import type { RunContext } from '../context.js';
import { Refused } from '../tls.js';
import { authenticate, hello, messageData } from './steps.js';
import { SmtpWire } from './wire.js';

const ctx = (...flaws: string[]): RunContext => ({
  flaws: new Set(flaws),
  signal: new AbortController().signal,
  log: () => undefined,
});
const data = (text: string, ...flaws: string[]): string =>
  messageData(Buffer.from(text, 'latin1'), ctx(...flaws)).toString('latin1');

describe('messageData', () => {
  it('doubles a dot that starts a line, the first line included, and ends with CRLF "." CRLF', () => {
    expect(data('.hidden\r\nmid.dle\r\n.\r\n..two\r\n')).toBe('..hidden\r\nmid.dle\r\n..\r\n...two\r\n.\r\n');
  });

  it('ends an unterminated last line before the final dot; an empty message is the dot alone', () => {
    expect(data('no line end')).toBe('no line end\r\n.\r\n');
    expect(data('')).toBe('.\r\n');
  });

  it('no-dot-stuffing leaves the dots as they are', () => {
    expect(data('.\r\n.x\r\n', 'no-dot-stuffing')).toBe('.\r\n.x\r\n.\r\n');
  });

  it('corrupt-output flips the lowest bit of the middle byte', () => {
    expect(data('abcdef\r\n', 'corrupt-output')).toBe('abcddf\r\n.\r\n');
  });
});

let pair: SocketPair;
afterEach(() => pair?.close());

/** Answers each command line with the script's next reply; returns the commands as they come. */
function answer(server: Socket, replies: string[]): string[] {
  const commands: string[] = [];
  let buf = '';
  server.on('data', (d: Buffer) => {
    buf += d.toString('latin1');
    for (let i = buf.indexOf('\r\n'); i >= 0; i = buf.indexOf('\r\n')) {
      commands.push(buf.slice(0, i));
      buf = buf.slice(i + 2);
      const reply = replies.shift();
      if (reply !== undefined) server.write(reply);
    }
  });
  return commands;
}

async function scripted(replies: string[]): Promise<{ wire: SmtpWire; commands: string[] }> {
  pair = await socketPair();
  return { commands: answer(pair.server, replies), wire: new SmtpWire(pair.client, false, false) };
}

describe('hello', () => {
  it("reads every EHLO line for keywords, upper-cased, gathering a keyword's parameters from each line naming it", async () => {
    const { wire, commands } = await scripted([
      '250-smtp.example Hello\r\n250-starttls\r\n250-AUTH plain\r\n250-SIZE 1000\r\n250 AUTH LOGIN\r\n',
    ]);
    const caps = await hello(wire);
    expect(commands).toEqual(['EHLO client.conform.test']);
    expect(caps.get('STARTTLS')).toEqual([]);
    expect(caps.get('AUTH')).toEqual(['PLAIN', 'LOGIN']);
    expect(caps.get('SIZE')).toEqual(['1000']);
    expect(caps.get('SMTP.EXAMPLE')).toEqual(['HELLO']);
  });

  it('falls back to HELO, with no extensions, when EHLO is unknown (500/502, RFC 5321 §4.1.4)', async () => {
    const { wire, commands } = await scripted(['502 unknown command\r\n', '250 hi\r\n']);
    expect((await hello(wire)).size).toBe(0);
    expect(commands).toEqual(['EHLO client.conform.test', 'HELO client.conform.test']);
  });

  it('any other refusal of EHLO, or of HELO, ends the session', async () => {
    const first = await scripted(['421 closing\r\n']);
    await expect(hello(first.wire)).rejects.toThrow(new Refused('EHLO: the server answered 421 closing'));
    pair.close();
    const second = await scripted(['500 what\r\n', '554 no\r\n']);
    await expect(hello(second.wire)).rejects.toThrow('HELO: the server answered 554 no');
  });

  it('accept-any-hello-reply takes a refusal for a greeting without extensions, and sends no HELO', async () => {
    const { wire, commands } = await scripted(['421 closing\r\n']);
    expect((await hello(wire, true)).size).toBe(0);
    expect(commands).toEqual(['EHLO client.conform.test']);
  });
});

describe('authenticate', () => {
  const job = { user: 'ann', pass: 'sécret' } as Job;

  it('prefers PLAIN: one command carrying \\0user\\0pass in base64 (RFC 4616), UTF-8 encoded', async () => {
    const { wire, commands } = await scripted(['235 ok\r\n']);
    await authenticate(job, ctx(), wire, new Map([['AUTH', ['LOGIN', 'PLAIN']]]));
    expect(commands).toEqual([`AUTH PLAIN ${Buffer.from('\0ann\0sécret', 'utf8').toString('base64')}`]);
  });

  it('uses LOGIN when it is the only mechanism, answering each 334', async () => {
    const { wire, commands } = await scripted(['334 VXNlcm5hbWU6\r\n', '334 UGFzc3dvcmQ6\r\n', '235 ok\r\n']);
    await authenticate(job, ctx(), wire, new Map([['AUTH', ['LOGIN']]]));
    expect(commands).toEqual([
      'AUTH LOGIN',
      Buffer.from('ann').toString('base64'),
      Buffer.from('sécret', 'utf8').toString('base64'),
    ]);
  });

  it('a refused AUTH ends the session unless ignore-auth-failure; no usable mechanism sends nothing', async () => {
    const refused = await scripted(['535 no\r\n']);
    await expect(authenticate(job, ctx(), refused.wire, new Map([['AUTH', ['PLAIN']]]))).rejects.toThrow(
      'AUTH: the server answered 535 no',
    );
    pair.close();
    const ignored = await scripted(['535 no\r\n']);
    await expect(
      authenticate(job, ctx('ignore-auth-failure'), ignored.wire, new Map([['AUTH', ['PLAIN']]])),
    ).resolves.toBeUndefined();
    pair.close();
    const none = await scripted([]);
    await expect(authenticate(job, ctx(), none.wire, new Map([['AUTH', ['CRAM-MD5']]]))).rejects.toThrow(
      'the server offers no usable AUTH mechanism (CRAM-MD5)',
    );
    expect(none.commands).toEqual([]);
  });
});
