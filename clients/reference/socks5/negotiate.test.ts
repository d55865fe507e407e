/** The reference client's side of RFC 1928 / RFC 1929, against a proxy scripted byte by byte on a real socket. */
import { afterEach, describe, expect, it } from 'vitest';
import { drip, socketPair, until, type SocketPair } from '../../../tests/support/socket-pair.js';
import { Refused } from '../tls.js';
import { encodeDestination, literalAtyp, request, type ProxyPlan } from './negotiate.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s/g, ''), 'hex');

describe('encodeDestination', () => {
  it('IPv4: ATYP 1, four octets, the port in network order', () => {
    expect(encodeDestination({ atyp: 1, addr: '192.0.2.7' }, 8080).toString('hex')).toBe('01c0000207' + '1f90');
  });

  it('IPv6: ATYP 4 and sixteen octets, "::" expanded wherever it stands', () => {
    expect(encodeDestination({ atyp: 4, addr: '::1' }, 443).toString('hex')).toBe('04' + '0'.repeat(31) + '1' + '01bb');
    expect(encodeDestination({ atyp: 4, addr: '2001:db8::8:800:200c:417a' }, 1).toString('hex')).toBe(
      '04' + '20010db8000000000008080020 0c417a'.replace(' ', '') + '0001',
    );
    expect(encodeDestination({ atyp: 4, addr: 'fe80::' }, 1).toString('hex')).toBe(
      '04' + 'fe80' + '0'.repeat(28) + '0001',
    );
    expect(encodeDestination({ atyp: 4, addr: '1:2:3:4:5:6:7:8' }, 1).toString('hex')).toBe(
      '04' + '00010002000300040005000600070008' + '0001',
    );
  });

  it('IPv6 with an embedded IPv4 (RFC 4291 §2.2 form 3): its last four octets are the dotted quad', () => {
    expect(encodeDestination({ atyp: 4, addr: '::ffff:192.0.2.1' }, 80).toString('hex')).toBe(
      '04' + '0'.repeat(20) + 'ffff' + 'c0000201' + '0050',
    );
    expect(encodeDestination({ atyp: 4, addr: '64:ff9b::10.0.0.1' }, 80).toString('hex')).toBe(
      '04' + '0064ff9b' + '0'.repeat(16) + '0a000001' + '0050',
    );
  });

  it('a name: ATYP 3, one length octet counting its UTF-8 bytes, then the bytes', () => {
    expect(encodeDestination({ atyp: 3, addr: 'exämple' }, 80).toString('hex')).toBe(
      '03' + '08' + Buffer.from('exämple').toString('hex') + '0050',
    );
  });

  it('refuses a name of more than 255 bytes rather than wrap its length octet (RFC 1928 §5)', () => {
    expect(encodeDestination({ atyp: 3, addr: 'a'.repeat(255) }, 80)[1]).toBe(255);
    expect(() => encodeDestination({ atyp: 3, addr: 'a'.repeat(256) }, 80)).toThrow(Refused);
  });
});

describe('literalAtyp', () => {
  it('is 1 for an IPv4 literal, 4 for an IPv6 one, none for a name or a bracketed literal', () => {
    expect(literalAtyp('127.0.0.1')).toBe(1);
    expect(literalAtyp('::1')).toBe(4);
    expect(literalAtyp('localhost')).toBeUndefined();
    expect(literalAtyp('[::1]')).toBeUndefined();
  });
});

let pair: SocketPair;
afterEach(() => pair?.close());

const plan = (more: Partial<ProxyPlan> = {}): ProxyPlan => ({
  user: '',
  pass: '',
  dest: { atyp: 3, addr: 'target.test' },
  port: 443,
  ...more,
});
/** What the client sends for plan(): CONNECT target.test:443. */
const CONNECT = '050100 03 0b' + Buffer.from('target.test').toString('hex') + '01bb';
const heardHex = (): string => Buffer.from(pair.heard(), 'latin1').toString('hex');

/** Starts a request through a fresh connection; the test plays the proxy on `pair.server`. */
async function start(p: ProxyPlan = plan(), ...flaws: string[]) {
  pair = await socketPair();
  const session = request(pair.client, p, new Set(flaws), new AbortController().signal);
  session.catch(() => undefined);
  return { session };
}

/** Answers the greeting with "no authentication" and waits for the request. */
async function selectNoAuth(): Promise<void> {
  await until(() => heardHex() === '050100');
  pair.server.write(hex('0500'));
  await until(() => heardHex() === '050100' + CONNECT.replace(/\s/g, ''));
}

describe('request', () => {
  it('without credentials offers "no authentication" only, then CONNECT with the name (ATYP 3)', async () => {
    const { session } = await start();
    await selectNoAuth();
    pair.server.write(hex('05000001 7f000001 1f90'));
    expect((await session).bound).toEqual({ addr: '127.0.0.1', port: 8080 });
  });

  it('reads a reply whose BND.ADDR is IPv6 or a name, each byte in its own read', async () => {
    for (const [bnd, bound] of [
      ['04 20010db8000000000000000000000001', '2001:db8:0:0:0:0:0:1'],
      ['03 0a70726f78792e74657374', 'proxy.test'],
    ] as const) {
      const { session } = await start();
      await selectNoAuth();
      await drip(
        pair.server,
        [...hex(`050000${bnd}0050`)].map((byte) => Buffer.from([byte])),
        1,
      );
      expect((await session).bound).toEqual({ addr: bound, port: 80 });
      pair.close();
    }
  });

  it('refuses a failure code, an undefined ATYP and a wrong version, naming each', async () => {
    for (const [reply, why] of [
      ['05050001 00000000 0000', "the proxy refused the request (reply X'05')"],
      ['05000005 00000000 0000', "the reply has the undefined address type X'05'"],
      ['04000001 00000000 0000', 'the reply has version 4, not 5'],
    ] as const) {
      const { session } = await start();
      await selectNoAuth();
      pair.server.write(hex(reply));
      await expect(session).rejects.toThrow(new Refused(why));
      pair.close();
    }
  });

  it('socks5-lenient-atyp reads an undefined ATYP as IPv4', async () => {
    const { session } = await start(plan(), 'socks5-lenient-atyp');
    await selectNoAuth();
    pair.server.write(hex('05000005 0a000001 0050'));
    expect((await session).bound).toEqual({ addr: '10.0.0.1', port: 80 });
  });

  it('a proxy that closes in the middle of the reply ends the request', async () => {
    const { session } = await start();
    await selectNoAuth();
    pair.server.end(hex('05000001 7f00'));
    await expect(session).rejects.toThrow('the proxy closed the connection before the reply was complete');
  });

  it("closes on X'FF' and on a method it never offered (RFC 1928 §3)", async () => {
    for (const [selection, why] of [
      ['05ff', 'the proxy accepts none of the offered methods'],
      ['0502', "the proxy selected method X'02', which was never offered"],
    ] as const) {
      const { session } = await start();
      await until(() => heardHex() === '050100');
      pair.server.write(hex(selection));
      await expect(session).rejects.toThrow(why);
      expect(heardHex()).toBe('050100');
      pair.close();
    }
  });

  it('with credentials offers username/password and sends them as RFC 1929 says; a failure status ends it', async () => {
    const { session } = await start(plan({ user: 'ann', pass: 'pw' }));
    await until(() => heardHex() === '05020002');
    pair.server.write(hex('0502'));
    await until(() => heardHex() === '05020002' + '0103616e6e' + '027077');
    pair.server.write(hex('0101'));
    await expect(session).rejects.toThrow("authentication failed (status X'01')");
  });

  it('release() gives the socket back with the bytes that came behind the reply', async () => {
    const { session } = await start();
    await selectNoAuth();
    pair.server.write(Buffer.concat([hex('05000001 7f000001 1f90'), Buffer.from('HTTP/1.1 200 OK\r\n')]));
    const socket = (await session).release();
    expect(socket.isPaused()).toBe(true); // handed over paused: the next reader resumes it
    const first = new Promise<Buffer>((resolve) => socket.once('data', resolve));
    socket.resume();
    expect((await first).toString()).toBe('HTTP/1.1 200 OK\r\n');
  });

  it("BIND: nextReply() reads the second reply, the peer's address (RFC 1928 §6)", async () => {
    const { session } = await start(plan({ command: 2, dest: { atyp: 1, addr: '127.0.0.1' }, port: 9 }));
    await until(() => heardHex() === '050100');
    pair.server.write(hex('0500'));
    await until(() => heardHex() === '050100' + '050200 01 7f000001 0009'.replace(/\s/g, ''));
    pair.server.write(hex('05000001 7f000001 4e20'));
    const s = await session;
    expect(s.bound).toEqual({ addr: '127.0.0.1', port: 20000 });
    pair.server.write(hex('05000001 c0000201 3039'));
    expect(await s.nextReply()).toEqual({ addr: '192.0.2.1', port: 12345 });
  });

  it('refuses a target name over 255 bytes before sending anything (CVE-2023-38545)', async () => {
    const { session } = await start(plan({ dest: { atyp: 3, addr: 'a'.repeat(256) } }));
    await expect(session).rejects.toThrow(
      'the target name is 256 bytes; a SOCKS5 request carries at most 255 (RFC 1928 §5)',
    );
    await new Promise((r) => setTimeout(r, 20));
    expect(pair.heard()).toBe('');
  });
});
