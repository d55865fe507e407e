/** The reference client's FTP control connection on a real socket: replies as RFC 959 §4.2 frames them. */
import { afterEach, describe, expect, it } from 'vitest';
import { drip, socketPair, until, type SocketPair } from '../../../tests/support/socket-pair.js';
import { FtpControl, ServerRefused } from './control.js';

let pair: SocketPair;
afterEach(() => pair?.close());

async function control(initial?: Buffer): Promise<FtpControl> {
  pair = await socketPair();
  return FtpControl.over(pair.client, new AbortController().signal, initial);
}

describe('FtpControl.reply', () => {
  it('reads a one-line reply: its code and its text', async () => {
    const c = await control();
    pair.server.write('220 conform FTP ready\r\n');
    expect(await c.reply()).toEqual({ code: 220, text: 'conform FTP ready' });
  });

  it('reads a multi-line reply to the line that starts with its code and a space (RFC 959 §4.2)', async () => {
    const c = await control();
    // Inner lines are text, even those that start with a code: another one, or this one with a hyphen.
    pair.server.write('211-Features:\r\n EPSV\r\n213 not the end\r\n211-nor this\r\n211 End\r\n200 next\r\n');
    expect(await c.reply()).toEqual({ code: 211, text: 'Features:\n EPSV\n213 not the end\n211-nor this\nEnd' });
    expect(await c.reply()).toEqual({ code: 200, text: 'next' });
  });

  it('puts a multi-line reply back together however it was split across reads', async () => {
    const c = await control();
    const reply = c.reply();
    await drip(pair.server, ['230-Wel', 'come\r', '\n230', ' logged', ' in\r\n']);
    expect(await reply).toEqual({ code: 230, text: 'Welcome\nlogged in' });
  });

  it('reads bytes it was handed first (ftps-keep-pre-tls-buffer), then the stream', async () => {
    const c = await control(Buffer.from('230 fake\r\n'));
    pair.server.write('200 real\r\n');
    expect((await c.reply()).code).toBe(230);
    expect((await c.reply()).code).toBe(200);
  });

  it('refuses a line that is not a reply, and a bare code without its space', async () => {
    for (const line of ['hello', '22 short', '220']) {
      const c = await control();
      pair.server.write(`${line}\r\n`);
      await expect(c.reply(), line).rejects.toThrow(`not an FTP reply: ${JSON.stringify(line)}`);
      pair.close();
    }
  });

  it('a connection that ends inside a multi-line reply fails the read', async () => {
    const c = await control();
    pair.server.end('211-Features:\r\n EPSV\r\n');
    await expect(c.reply()).rejects.toThrow('the connection closed before a complete line');
  });
});

describe('FtpControl.send and must', () => {
  it('send() writes the command with CRLF and reads its reply', async () => {
    const c = await control();
    const reply = c.send('PBSZ 0');
    await until(() => pair.heard() === 'PBSZ 0\r\n');
    pair.server.write('200 PBSZ=0\r\n');
    expect(await reply).toEqual({ code: 200, text: 'PBSZ=0' });
  });

  it('must() takes any 2xx by default, and throws ServerRefused naming the step and the reply otherwise', async () => {
    const c = await control();
    pair.server.write('226 ok\r\n534 Request denied for policy reasons.\r\n');
    expect((await c.must('PROT P', 'PROT')).code).toBe(226);
    const err = await c.must('PROT P', 'PROT').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ServerRefused);
    expect(err).toMatchObject({
      step: 'PROT',
      reply: { code: 534 },
      message: 'PROT: the server answered 534 Request denied for policy reasons.',
    });
  });

  it('must() with its own test: USER may answer 230 or 331 and nothing else', async () => {
    const c = await control();
    const user = (code: number): boolean => code === 230 || code === 331;
    pair.server.write('331 password please\r\n230 in\r\n220 what\r\n');
    expect((await c.must('USER a', 'USER', user)).code).toBe(331);
    expect((await c.must('USER a', 'USER', user)).code).toBe(230);
    await expect(c.must('USER a', 'USER', user)).rejects.toThrow('USER: the server answered 220 what');
  });
});
