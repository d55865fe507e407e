/** The reference client's IMAP reading, fed bytes through a stream: literals by octet count, tags, capabilities. */
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import {
  capabilitiesOf,
  capability,
  command,
  parse,
  statusInWords,
  UnaskedContinuation,
  type Session,
} from './protocol.js';
import { Closed, ImapWire } from './wire.js';

/** A session over a stream whose reads come from `server` and whose writes land in `sent`. */
function session(
  flaws: string[] = [],
  tls = false,
): { s: Session; server: PassThrough; sent: string[]; logged: string[] } {
  const stream = new PassThrough();
  // A TLSSocket says so; this stream stands for one when the test asks.
  if (tls) Object.assign(stream, { encrypted: true });
  const sent: string[] = [];
  const logged: string[] = [];
  stream.write = ((chunk: Buffer) => sent.push(Buffer.from(chunk).toString('latin1')) > 0) as never;
  const server = new PassThrough();
  server.on('data', (d: Buffer) => stream.push(d));
  server.on('end', () => stream.push(null));
  return {
    s: {
      wire: new ImapWire(stream, new AbortController().signal),
      flaws: new Set(flaws),
      log: (l) => logged.push(l),
      next: 1,
    },
    server,
    sent,
    logged,
  };
}

describe('IMAP wire and responses (reference client)', () => {
  it('reads a literal by its octet count, response-like lines inside it included', async () => {
    const { s, server } = session();
    const body = 'A1 OK not the end\r\n)\r\n* 2 EXISTS\r\n';
    server.write(`* 1 FETCH (BODY[] {${body.length}}\r\n${body})\r\nA1 OK done\r\n`);
    const r = parse(await s.wire.response());
    expect(r.literals.map(String)).toEqual([body]);
    expect(r.rest).toBe(`1 FETCH (BODY[] {${body.length}})`);
    expect(parse(await s.wire.response())).toMatchObject({ tag: 'A1', status: 'OK' });
  });

  it('fails a literal cut short by the close, unless told to accept it', async () => {
    const strict = session();
    strict.server.end('* 1 FETCH (BODY[] {100}\r\nonly this');
    await expect(strict.s.wire.response()).rejects.toBeInstanceOf(Closed);
    const lax = session();
    lax.server.end('* 1 FETCH (BODY[] {100}\r\nonly this');
    expect(await lax.s.wire.response({ acceptTruncated: true })).toMatchObject({
      truncated: true,
      literals: [Buffer.from('only this')],
    });
  });

  it('ends a command only at its own tag, and says so of a foreign one', async () => {
    const { s, server, sent, logged } = session();
    server.write('Z999 OK FETCH completed.\r\n* 1 FETCH (FLAGS ())\r\nA1 OK Fetch completed.\r\n');
    const c = await command(s, 'FETCH 1 FLAGS');
    expect(sent).toEqual(['A1 FETCH 1 FLAGS\r\n']);
    expect(c.done.tag).toBe('A1');
    expect(c.untagged.map((u) => u.rest)).toEqual(['1 FETCH (FLAGS ())']);
    expect(logged[0]).toMatch(/"Z999", which this client never sent/);
    const flawed = session(['imap-accept-foreign-tag']);
    flawed.server.write('Z999 OK FETCH completed.\r\nA1 OK Fetch completed.\r\n');
    expect((await command(flawed.s, 'FETCH 1 FLAGS')).done.tag).toBe('Z999');
  });

  it('takes capabilities from a CAPABILITY response or code, the last list of a command winning', async () => {
    const { s, server } = session();
    server.write(
      '* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n* CAPABILITY IMAP4rev1 STARTTLS LOGINDISABLED\r\nA1 OK done\r\n',
    );
    expect([...(await capability(s))]).toEqual(['IMAP4REV1', 'STARTTLS', 'LOGINDISABLED']);
    const greeting = parse({ lines: ['* OK [CAPABILITY IMAP4rev1 SASL-IR] ready'], literals: [], truncated: false });
    expect([...capabilitiesOf(greeting)!]).toEqual(['IMAP4REV1', 'SASL-IR']);
    expect(capabilitiesOf(parse({ lines: ['* OK [ALERT] hello'], literals: [], truncated: false }))).toBeUndefined();
  });

  it('shows an ALERT that came inside TLS and withholds the text of one that came without (RFC 9051 §7.1)', async () => {
    const lines = '* OK [ALERT] Attacker-controlled text\r\nA1 OK done\r\n';
    const plain = session();
    plain.server.write(lines);
    await command(plain.s, 'NOOP');
    expect(plain.logged.join('\n')).not.toMatch(/Attacker-controlled/);
    expect(plain.logged.join('\n')).toMatch(/ignored an ALERT that came without TLS/);
    const secure = session([], true);
    secure.server.write(lines);
    await command(secure.s, 'NOOP');
    expect(secure.logged).toContain('server alert: OK [ALERT] Attacker-controlled text');
    const flawed = session(['imap-show-plaintext-alert']);
    flawed.server.write(lines);
    await command(flawed.s, 'NOOP');
    expect(flawed.logged).toContain('server alert: OK [ALERT] Attacker-controlled text');
    const hiding = session(['imap-hide-alerts'], true);
    hiding.server.write(lines);
    await command(hiding.s, 'NOOP');
    expect(hiding.logged).toEqual([]);
  });

  it('puts a status response in words, its text withheld without TLS', () => {
    const r = parse({ lines: ['* NO [BADCHARSET (kkgIhdNV)] MyF21bpV'], literals: [], truncated: false });
    expect(statusInWords(session().s, r)).toBe('NO [BADCHARSET] (its text withheld: it came without TLS)');
    expect(statusInWords(session([], true).s, r)).toBe('NO [BADCHARSET] MyF21bpV');
  });

  it('takes a continuation request no command asked for as no answer at all', async () => {
    const { s, server } = session();
    server.write('+ continue with something.\r\n');
    await expect(command(s, 'STARTTLS')).rejects.toBeInstanceOf(UnaskedContinuation);
  });

  it('stops at a refused CAPABILITY, unless a flaw makes up a list of IMAP4rev1 alone', async () => {
    const strict = session();
    strict.server.write('A1 BAD Unknown command.\r\n');
    await expect(capability(strict.s)).rejects.toThrow(/refused CAPABILITY: BAD/);
    const flawed = session(['imap-assume-capabilities']);
    flawed.server.write('A1 BAD Unknown command.\r\n');
    expect([...(await capability(flawed.s))]).toEqual(['IMAP4REV1']);
  });

  it('reads untagged data no command asked for and goes on, unless a flaw gives up on it', async () => {
    const lines = '* LIST () "/" 7XiYhgS7\r\n* OK [ALERT] hi\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\nA1 OK done\r\n';
    const strict = session();
    strict.server.write(lines);
    expect([...(await capability(strict.s))]).toEqual(['IMAP4REV1', 'STARTTLS']);
    const flawed = session(['imap-reject-unsolicited']);
    flawed.server.write(lines);
    await expect(capability(flawed.s)).rejects.toThrow(/no command asked for: LIST \(\)/);
    const statuses = session(['imap-reject-unsolicited']);
    statuses.server.write('* OK [ALERT] hi\r\n* CAPABILITY IMAP4rev1\r\nA1 OK done\r\n');
    expect([...(await capability(statuses.s))]).toEqual(['IMAP4REV1']);
  });

  it('keeps no FETCH response past its command, unless a flaw keeps them all', async () => {
    const lines = '* 1 FETCH (BODY[] {8}\r\nInjected)\r\nA1 OK done\r\n';
    const strict = session();
    strict.server.write(lines);
    await command(strict.s, 'NOOP');
    expect(strict.s.fetched).toBeUndefined();
    const flawed = session(['imap-keep-unsolicited-fetch']);
    flawed.server.write(lines);
    await command(flawed.s, 'NOOP');
    expect(flawed.s.fetched?.map((r) => String(r.literals[0]))).toEqual(['Injected']);
  });
});
