/** The SOCKS5 machine fed raw bytes, as a client would write them. */
import { describe, expect, it } from 'vitest';
import { longHost, longUser } from './long-names.js';
import { createSocks5Machine, type Socks5Output } from './machine.js';
import { Socks5OptionsSchema } from './options.js';

const machine = (options: unknown = {}) => createSocks5Machine(Socks5OptionsSchema.parse(options));
const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const written = (o: Socks5Output): string => Buffer.concat(o.writes).toString('hex');
const commands = (o: Socks5Output) =>
  o.events.flatMap((e) => (e.type === 'command' ? [`${e.fields.verb} ${e.fields.args}`] : []));
/** CONNECT target.conform.test:80 (ATYP 3). */
const CONNECT_NAME = h(`05 01 00 03 13 ${Buffer.from('target.conform.test').toString('hex')} 0050`);

describe('greeting and method selection (RFC 1928 §3)', () => {
  it('selects no authentication when offered and records the greeting', () => {
    const o = machine().push(h('050100'));
    expect(written(o)).toBe('0500');
    expect(commands(o)).toEqual(['GREETING ver=05 nmethods=1 methods=00']);
  });

  it("answers X'FF' and closes when nothing offered is acceptable", () => {
    const o = machine({ methods: ['username-password'] }).push(h('050100'));
    expect(written(o)).toBe('05ff');
    expect(o.close).toBe(true);
  });

  it('waits for every method NMETHODS announces, across reads', () => {
    const m = machine();
    expect(m.push(h('0503')).writes).toEqual([]);
    expect(m.push(h('0102')).writes).toEqual([]);
    expect(written(m.push(h('00')))).toBe('0500');
  });

  it('closes on a greeting whose version is not 5', () => {
    const o = machine().push(h('040100'));
    expect(o.close).toBe(true);
    expect(o.writes).toEqual([]);
  });

  it('selects a method the client never offered under select-unoffered', () => {
    expect(written(machine({ faults: [{ kind: 'select-unoffered' }] }).push(h('050100')))).toBe('0502');
  });
});

describe('username/password (RFC 1929 §2)', () => {
  const auth = (user: string, pass: string, ver = 1): Buffer =>
    Buffer.concat([Buffer.from([ver, user.length]), Buffer.from(user), Buffer.from([pass.length]), Buffer.from(pass)]);

  it('accepts the account, records the user and never the password', () => {
    const m = machine({ methods: ['username-password'] });
    expect(written(m.push(h('050102')))).toBe('0502');
    const o = m.push(auth('conform', 'conform-socks-secret'));
    expect(written(o)).toBe('0100');
    expect(commands(o)).toEqual(['AUTH ver=01 ulen=7 user=conform plen=20']);
    expect(JSON.stringify(o.events)).not.toContain('conform-socks-secret');
  });

  it('fails version 5 in the sub-negotiation and closes', () => {
    const m = machine({ methods: ['username-password'] });
    m.push(h('050102'));
    const o = m.push(auth('conform', 'conform-socks-secret', 5));
    expect(written(o)).toBe('0101');
    expect(o.close).toBe(true);
  });

  it('keeps listening after a scripted failure and records a request sent anyway', () => {
    const m = machine({ methods: ['username-password'], faults: [{ kind: 'auth-failure' }] });
    m.push(h('050102'));
    expect(m.push(auth('conform', 'conform-socks-secret')).linger).toBe(true);
    const o = m.push(CONNECT_NAME);
    expect(commands(o)).toEqual(['CONNECT atyp=domain addr=target.conform.test port=80 namelen=19']);
    expect(written(o).slice(0, 4)).toBe('0502');
  });
});

describe('requests and replies (RFC 1928 §4–§6)', () => {
  it('asks the shell to connect, then replies success with an IPv4 BND.ADDR', () => {
    const m = machine();
    m.push(h('050100'));
    const o = m.push(CONNECT_NAME);
    expect(o.connect).toEqual({ command: 'connect', atyp: 'domain', addr: 'target.conform.test', port: 80 });
    expect(written(m.connected({ ok: true, boundPort: 0x1234 }))).toBe('05000001' + '7f000001' + '1234');
  });

  it('parses IPv4 and IPv6 destinations', () => {
    const m4 = machine();
    m4.push(h('050100'));
    expect(m4.push(h('05010001 7f000001 0050')).connect).toEqual({
      command: 'connect',
      atyp: 'ipv4',
      addr: '127.0.0.1',
      port: 80,
    });
    const m6 = machine();
    m6.push(h('050100'));
    expect(m6.push(h('05010004 00000000000000000000000000000001 01bb')).connect).toEqual({
      command: 'connect',
      atyp: 'ipv6',
      addr: '::1',
      port: 443,
    });
  });

  it("answers an unknown command with X'07' command not supported", () => {
    const m = machine();
    m.push(h('050100'));
    const o = m.push(h('05090001 7f000001 0050'));
    expect(written(o).slice(0, 4)).toBe('0507');
    expect(o.close).toBe(true);
  });

  it('BIND: a first reply naming the listener, then a second naming the peer, then the tunnel with what the client sent ahead', () => {
    const m = machine({ command: 'bind' });
    m.push(h('050100'));
    expect(m.push(h('05020001 7f000001 0050')).connect).toEqual({
      command: 'bind',
      atyp: 'ipv4',
      addr: '127.0.0.1',
      port: 80,
    });
    const first = m.connected({ ok: true, boundPort: 0x1234 });
    expect(written(first)).toBe('05000001' + '7f000001' + '1234');
    expect(first.awaitPeer).toBe(true);
    expect(first.tunnel).toBeUndefined();
    m.push(Buffer.from('early'));
    const second = m.peerConnected({ addr: '127.0.0.1', port: 0x4321 });
    expect(written(second)).toBe('05000001' + '7f000001' + '4321');
    expect(second.tunnel?.forward.toString()).toBe('early');
  });

  it('BIND: a stall after the first reply keeps the peer away; a failing second reply still opens the tunnel (the fault)', () => {
    const stalled = machine({ command: 'bind', faults: [{ kind: 'stall', after: 'bind' }] });
    stalled.push(h('050100'));
    stalled.push(h('05020001 7f000001 0050'));
    expect(stalled.connected({ ok: true, boundPort: 1 }).awaitPeer).toBe(false);
    const failing = machine({ command: 'bind', faults: [{ kind: 'bind-second-reply', code: 5 }] });
    failing.push(h('050100'));
    failing.push(h('05020001 7f000001 0050'));
    failing.connected({ ok: true, boundPort: 1 });
    const o = failing.peerConnected({ addr: '127.0.0.1', port: 2 });
    expect(written(o).slice(0, 4)).toBe('0505');
    expect(o.tunnel).toBeDefined();
  });

  it("UDP ASSOCIATE: replies with the relay address and then ignores the TCP connection's bytes", () => {
    const m = machine({ command: 'udp-associate' });
    m.push(h('050100'));
    expect(m.push(h('05030001 00000000 0000')).connect).toEqual({
      command: 'udp',
      atyp: 'ipv4',
      addr: '0.0.0.0',
      port: 0,
    });
    const o = m.connected({ ok: true, boundPort: 0x2222, boundAddr: '127.0.0.1' });
    expect(written(o)).toBe('05000001' + '7f000001' + '2222');
    expect(o.tunnel).toBeUndefined();
    expect(m.push(Buffer.alloc(5000)).close).toBeUndefined();
  });

  it("answers an undefined ATYP with X'08'", () => {
    const m = machine();
    m.push(h('050100'));
    expect(written(m.push(h('05010009 00'))).slice(0, 4)).toBe('0508');
  });

  it('accepts a zero-length and a 255-byte name', () => {
    const zero = machine();
    zero.push(h('050100'));
    expect(zero.push(h('05010003 00 0050')).connect?.addr).toBe('');
    const long = machine();
    long.push(h('050100'));
    const name = 'a'.repeat(255);
    expect(long.push(Buffer.concat([h('05010003 ff'), Buffer.from(name), h('0050')])).connect?.addr).toBe(name);
  });

  it('hands bytes sent after the request to the tunnel', () => {
    const m = machine();
    m.push(h('050100'));
    m.push(Buffer.concat([CONNECT_NAME, Buffer.from('GET / HTTP/1.1\r\n')]));
    expect(m.connected({ ok: true, boundPort: 1 }).tunnel?.forward.toString()).toBe('GET / HTTP/1.1\r\n');
  });

  it.each([
    [{ kind: 'reply-code', code: 5 }, '05050001'],
    [{ kind: 'reply-version', version: 4 }, '04000001'],
    [{ kind: 'reply-bad-atyp', atyp: 5 }, '05000005'],
    [{ kind: 'bnd-addr', atyp: 'domain' }, '05000003'],
    [{ kind: 'bnd-addr', atyp: 'ipv6' }, '05000004'],
  ])('shapes the reply under %j', (fault, head) => {
    const m = machine({ faults: [fault] });
    m.push(h('050100'));
    m.push(CONNECT_NAME);
    const o = m.connected({ ok: true, boundPort: 1 });
    expect(written(o).slice(0, 8)).toBe(head);
    expect(o.events.some((e) => e.type === 'fault')).toBe(true);
  });

  it('writes one byte per write under split-replies, and truncates under truncate-reply', () => {
    const split = machine({ faults: [{ kind: 'split-replies' }] });
    const o = split.push(h('050100'));
    expect(o.writes.map((w) => w.length)).toEqual([1, 1]);
    expect(o.paced).toBe(true);
    const cut = machine({ faults: [{ kind: 'truncate-reply', bytes: 5 }] });
    cut.push(h('050100'));
    cut.push(CONNECT_NAME);
    const r = cut.connected({ ok: true, boundPort: 1 });
    expect(written(r)).toHaveLength(10);
    expect(r.close).toBe(true);
  });

  it('answers a greeting and request pipelined in one write, in order', () => {
    const m = machine();
    const o = m.push(Buffer.concat([h('050100'), CONNECT_NAME]));
    expect(written(o)).toBe('0500');
    expect(o.connect?.addr).toBe('target.conform.test');
  });
});

describe('lengths at the edge of one octet (RFC 1929 §2, RFC 1928 §5)', () => {
  const SECRET = 'conform-socks-secret';
  const subNegotiation = (ulen: number, user: string): Buffer =>
    Buffer.concat([Buffer.from([1, ulen]), Buffer.from(user), Buffer.from([SECRET.length]), Buffer.from(SECRET)]);

  it('reads a ULEN wrapped to 0 as an empty name, fails it, and counts the leftover without recording the password', () => {
    const m = machine({ methods: ['username-password'], longNames: { user: 256 } });
    expect(written(m.push(h('050102')))).toBe('0502');
    // 256 & 0xff: the proxy takes the name's first byte ('a', 97) for PLEN and the next 97 for the password.
    const o = m.push(subNegotiation(0, longUser(256)));
    expect(commands(o)).toEqual(['AUTH ver=01 ulen=0 user= plen=97', 'UNPARSED bytes=179 after the sub-negotiation']);
    expect(o.events.find((e) => e.type === 'reply')?.fields).toMatchObject({
      code: 'auth=01',
      text: expect.stringMatching(/empty UNAME/),
    });
    expect(written(o)).toBe('0101');
    expect(o.close).toBe(true);
    expect(JSON.stringify(o.events)).not.toContain(SECRET);
    expect(JSON.stringify(o.events)).not.toContain(Buffer.from(SECRET).toString('hex'));
    expect(m.push(Buffer.from('anything after the close')).events).toEqual([]);
  });

  it('accepts the 255-byte user name of longNames.user: 255 with ulen=255', () => {
    const m = machine({ methods: ['username-password'], longNames: { user: 255 } });
    m.push(h('050102'));
    const o = m.push(subNegotiation(255, longUser(255)));
    expect(written(o)).toBe('0100');
    expect(commands(o)[0]).toMatch(/^AUTH ver=01 ulen=255 user=abcdefghijklmnopqrstuvwxyz.* plen=20$/);
  });

  it("reads a DOMAINNAME length wrapped to 0 as an empty name, the name's bytes as the port, and records the rest once the request fails", () => {
    const m = machine();
    m.push(h('050100'));
    const name = longHost(256);
    const o = m.push(Buffer.concat([h('05010003 00'), Buffer.from(name), h('0050')]));
    expect(o.connect).toEqual({ command: 'connect', atyp: 'domain', addr: '', port: 0x6161 });
    expect(commands(o)).toEqual(['CONNECT atyp=domain addr= port=24929 namelen=0']);
    const r = m.connected({ ok: false, rep: 4 });
    expect(written(r).slice(0, 4)).toBe('0504');
    expect(r.close).toBe(true);
    const unparsed = r.events.find((e) => e.type === 'command');
    expect(unparsed?.fields).toMatchObject({ verb: 'UNPARSED', args: 'bytes=256 after the request' });
    expect(Buffer.from(unparsed?.type === 'command' ? unparsed.fields.raw : '', 'hex').toString()).toBe(
      name.slice(2, 66),
    );
  });

  it('records a name cut to 255 bytes with namelen=255 and answers host unreachable for it', () => {
    const m = machine({ longNames: { host: 256 } });
    m.push(h('050100'));
    const cut = longHost(256).slice(0, 255);
    const o = m.push(Buffer.concat([h('05010003 ff'), Buffer.from(cut), h('0050')]));
    expect(commands(o)).toEqual([`CONNECT atyp=domain addr=${cut} port=80 namelen=255`]);
  });

  it('says what bytes followed a greeting it cannot speak, without crashing', () => {
    const o = machine().push(h('0401 0050 7f000001 00'));
    expect(commands(o)).toEqual(['GREETING ver=04', 'UNPARSED bytes=7 after the greeting']);
    expect(o.close).toBe(true);
  });
});

describe('a message the client never finished', () => {
  it('is recorded when the client leaves: its size only before the request (it may hold a password)', () => {
    const m = createSocks5Machine(Socks5OptionsSchema.parse({ methods: ['username-password'] }));
    m.push(Buffer.from([5, 1, 2]));
    // ULEN 196 (a wrapped 256-byte name written as UTF-8), and fewer bytes than it announces.
    m.push(Buffer.concat([Buffer.from([1, 0xc4, 0x80]), Buffer.alloc(50, 0x61)]));
    const left = m.clientLeft();
    expect(left.events).toEqual([
      {
        type: 'command',
        fields: { layer: 'plaintext', verb: 'INCOMPLETE', args: 'bytes=53 of a sub-negotiation', raw: '' },
      },
    ]);
    expect(m.clientLeft().events).toEqual([]);
  });
});
