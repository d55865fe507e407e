/** The reference client's SMTP reply reader on a real socket (RFC 5321 §4.2), fed by a scripted server. */
import { afterEach, describe, expect, it } from 'vitest';
import { drip, socketPair, until, type SocketPair } from '../../../tests/support/socket-pair.js';
import { Refused } from '../tls.js';
import { SmtpWire } from './wire.js';

let pair: SocketPair;
const opened: SocketPair[] = [];
afterEach(() => opened.splice(0).forEach((p) => p.close()));

/** A wire on a fresh connection, whose server end is `pair.server`. */
async function wire(lenient = false): Promise<SmtpWire> {
  pair = await socketPair();
  opened.push(pair);
  return new SmtpWire(pair.client, false, lenient);
}

describe('SmtpWire', () => {
  it('reads a multi-line reply to its "NNN " line, each line\'s text without code and separator', async () => {
    const w = await wire();
    pair.server.write('250-smtp.example greets you\r\n250-PIPELINING\r\n250 STARTTLS\r\n');
    expect(await w.read()).toEqual({ code: 250, lines: ['smtp.example greets you', 'PIPELINING', 'STARTTLS'] });
  });

  it('puts a reply back together however it was split across reads, CR and LF apart included', async () => {
    const w = await wire();
    const reply = w.read();
    await drip(pair.server, ['25', '0-first\r', '\n250', ' last', '\r', '\n']);
    expect(await reply).toEqual({ code: 250, lines: ['first', 'last'] });
  });

  it('takes a bare code as a whole reply line, and keeps replies that came early for the next reads', async () => {
    const w = await wire();
    pair.server.write('220\r\n354 go ahead\r\n');
    await until(() => pair.client.bytesRead === 19); // both arrived before any read
    expect(await w.read()).toEqual({ code: 220, lines: [''] });
    expect(await w.read()).toEqual({ code: 354, lines: ['go ahead'] });
  });

  it('command() writes the line with CRLF and returns its reply', async () => {
    const w = await wire();
    const reply = w.command('NOOP');
    await until(() => pair.heard() === 'NOOP\r\n');
    pair.server.write('250 OK\r\n');
    expect((await reply).code).toBe(250);
  });

  it('refuses a line that is no reply line, and a continuation with another code', async () => {
    const w = await wire();
    pair.server.write('hello there\r\n');
    await expect(w.read()).rejects.toThrow(/not an SMTP reply line: "hello there"/);
    const v = await wire();
    pair.server.write('250-one\r\n251 two\r\n');
    await expect(v.read()).rejects.toThrow(/not an SMTP reply line: "251 two"/);
  });

  it('a reply cut short by the end of the connection is an error; accept-partial-reply takes it whole', async () => {
    const strict = await wire();
    pair.server.end('250-first\r\n250-second\r\n');
    const err = await strict.read().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(Refused);
    expect((err as Error).message).toBe('the server closed the connection');
    const lenient = await wire(true);
    pair.server.end('250-first\r\n250-second\r\n');
    expect(await lenient.read()).toEqual({ code: 250, lines: ['first', 'second'] });
  });

  it('a read after the connection ended fails at once', async () => {
    const w = await wire();
    pair.server.end();
    await until(() => pair.client.readableEnded);
    await expect(w.read()).rejects.toThrow('the server closed the connection');
    expect(w.usable).toBe(false);
  });

  it('discardUnread() drops lines that came unasked and says how many bytes they were', async () => {
    const w = await wire();
    const unasked = '250 fake reply to MAIL\r\n';
    pair.server.write(`454 TLS not available\r\n${unasked}`);
    await until(() => pair.client.bytesRead === 23 + unasked.length);
    expect((await w.read()).code).toBe(454);
    expect(w.discardUnread()).toBe(unasked.length);
    pair.server.write('250 the real one\r\n');
    expect(await w.read()).toEqual({ code: 250, lines: ['the real one'] });
  });

  it('detach() stops reading and hands over the bytes received and not consumed', async () => {
    const w = await wire();
    pair.server.write('220 go ahead\r\n250 injected\r\n');
    await until(() => pair.client.bytesRead === 28);
    expect((await w.read()).code).toBe(220);
    const rest = w.detach();
    expect(rest.toString('latin1')).toBe('250 injected\r\n');
    expect(w.usable).toBe(false);
    pair.server.write('more');
    // Paused: the bytes wait in the socket for the next reader (TLS), none taken by the wire.
    await until(() => pair.client.readableLength === 4);
    expect(pair.client.isPaused()).toBe(true);
    expect(w.discardUnread()).toBe(0);
  });

  it('two reads at once are a programming error', async () => {
    const w = await wire();
    const first = w.read();
    await expect(w.read()).rejects.toThrow('two reads at once');
    pair.server.write('250 ok\r\n');
    expect((await first).code).toBe(250);
  });
});
