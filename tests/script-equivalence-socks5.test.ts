/**
 * Issue #13: every named SOCKS5 fault (servers/socks5/faults.ts, all 18) is
 * expressible with the SOCKS5 script layer (servers/socks5/script.ts). Each
 * catalogue case that uses a fault is run twice, once as written and once with
 * the fault replaced by its script, against the reference client and the
 * flawed clients the case names as fail witnesses: same verdict, same wire
 * (tests/support/equivalence.ts).
 *
 * What a fault does besides its bytes is said with the script's means: the
 * proxy carries on after a rule that does not end the connection (the tunnel
 * opened anyway behind a failure reply), a second rule answers what a client
 * that ignored a refusal sends next (`optional`: only flawed clients get
 * there), `trickle` splits a message into one-byte writes, `hold` puts BIND's
 * second reply in the segment of the peer's first bytes, `datagram` sends the
 * decoys, `{ tunnel: { after } }` cuts the tunnel.
 *
 * One variant has no catalogue case to run: `stall` after `accept` (the proxy
 * silent from the first byte). Its script, `on: connect, do: [stall]`, is
 * compared on the proxy itself below: the same events for the same bytes.
 */
import { connect } from 'node:net';
import { describe, expect, it } from 'vitest';
import { openCertStore } from '../certs/index.js';
import { EventLog } from '../servers/shared/events.js';
import { Socks5OptionsSchema } from '../servers/socks5/options.js';
import { Socks5ScriptSchema } from '../servers/socks5/script.js';
import { startSocks5Server } from '../servers/socks5/server.js';
import { provePairs, type Pair } from './support/equivalence.js';

/** What the named faults answer a request sent after their refusal: X'02' (not allowed by ruleset), then they close. */
const REFUSED_REQUEST = { on: 'request', do: [{ hex: '05 02 00 01 00 00 00 00 00 00' }, 'close'], optional: true };
/** The split-replies fault's pace: one byte per write, 5 ms apart. */
const byteByByte = (on: unknown, optional = false): unknown => ({
  on,
  do: [{ trickle: 5 }, 'normal'],
  ...(optional ? { optional } : {}),
});
const decoyFirst = (datagram: Record<string, unknown>): unknown[] => [
  { on: 'datagram', do: [{ datagram }, { delay: 30 }, 'normal'] },
];

const PAIRS: Pair[] = [
  {
    fault: 'select-no-acceptable',
    caseId: 'socks5.negotiation.no-acceptable-methods',
    script: [{ on: 'greeting', do: [{ hex: '05 ff' }] }, REFUSED_REQUEST],
  },
  {
    fault: 'select-unoffered (GSSAPI)',
    caseId: 'socks5.negotiation.unoffered-method-with-credentials',
    script: [{ on: 'greeting', do: [{ hex: '05 01' }] }],
  },
  {
    fault: 'select-unoffered (username/password)',
    caseId: 'socks5.negotiation.unoffered-username-password',
    script: [
      { on: 'greeting', do: [{ hex: '05 02' }] },
      // The fault takes any credentials after its unoffered selection.
      { on: 'auth', do: [{ hex: '01 00' }], optional: true },
    ],
  },
  {
    fault: 'auth-failure',
    caseId: 'socks5.auth.failure-ends-connection',
    script: [{ on: 'auth', do: [{ hex: '01 01' }] }, REFUSED_REQUEST],
  },
  ...[1, 2, 3, 4, 5, 6, 7, 8, 9, 255].map(
    (code): Pair => ({
      fault: `reply-code ${code}`,
      caseId: `socks5.reply.code-${code}`,
      // Raw bytes for some (BND.PORT then says 0), fields for the others: both carry on into the tunnel.
      script: [
        {
          on: 'request',
          do: [
            code % 2
              ? { reply: { rep: code } }
              : { hex: `05 ${code.toString(16).padStart(2, '0')} 00 01 7f 00 00 01 00 00` },
          ],
        },
      ],
    }),
  ),
  {
    fault: 'reply-code (BIND first reply)',
    caseId: 'socks5.bind.first-reply-failure',
    script: [{ on: { request: { command: 'bind' } }, do: [{ reply: { rep: 1 } }] }],
  },
  {
    fault: 'reply-code (UDP ASSOCIATE)',
    caseId: 'socks5.udp.associate-refused',
    script: [{ on: { request: { command: 'udp-associate' } }, do: [{ reply: { rep: 2 } }] }],
  },
  {
    fault: 'reply-version',
    caseId: 'socks5.reply.wrong-version',
    script: [{ on: 'request', do: [{ reply: { ver: 4 } }] }],
  },
  {
    fault: 'reply-bad-atyp',
    caseId: 'socks5.reply.undefined-atyp',
    script: [{ on: 'request', do: [{ reply: { atyp: 5 } }] }],
  },
  {
    fault: 'reply-reserved',
    caseId: 'socks5.reply.reserved-nonzero',
    script: [{ on: 'request', do: [{ reply: { rsv: 0x80 } }] }],
  },
  {
    fault: 'bnd-addr domain',
    caseId: 'socks5.reply.bnd-domain',
    script: [{ on: 'request', do: [{ reply: { addr: 'proxy.conform.test' } }] }],
  },
  {
    fault: 'bnd-addr ipv6',
    caseId: 'socks5.reply.bnd-ipv6',
    script: [{ on: 'request', do: [{ reply: { addr: '::1' } }] }],
  },
  {
    fault: 'bnd-addr ipv6 (BIND)',
    caseId: 'socks5.bind.first-reply-ipv6',
    script: [{ on: { request: { command: 'bind' } }, do: [{ reply: { addr: '::1' } }] }],
  },
  {
    fault: 'bnd-addr domain (BIND)',
    caseId: 'socks5.bind.first-reply-domain',
    script: [{ on: { request: { command: 'bind' } }, do: [{ reply: { addr: 'proxy.conform.test' } }] }],
  },
  // The fault is recorded with the first message it splits: the later rules are optional, as a client that broke on the first never meets them.
  {
    fault: 'split-replies',
    caseId: 'socks5.reply.split-one-byte-per-write',
    script: [byteByByte('greeting'), byteByByte('auth', true), byteByByte('request', true)],
  },
  {
    fault: 'split-replies (BIND)',
    caseId: 'socks5.bind.split-replies',
    script: [byteByByte('greeting'), byteByByte('request', true), byteByByte('bind-peer', true)],
  },
  {
    fault: 'truncate-reply',
    caseId: 'socks5.reply.truncated-then-close',
    script: [{ on: 'request', do: [{ normal: { cut: 0.5 } }, 'close'] }],
  },
  {
    fault: 'reply-delay',
    caseId: 'socks5.request.no-data-before-reply',
    script: [{ on: 'request', do: [{ delay: 300 }, 'normal'] }],
  },
  {
    fault: 'stall greeting',
    caseId: 'socks5.negotiation.stall-after-greeting',
    script: [{ on: 'greeting', do: ['stall'] }],
  },
  { fault: 'stall auth', caseId: 'socks5.auth.stall-after-credentials', script: [{ on: 'auth', do: ['stall'] }] },
  { fault: 'stall request', caseId: 'socks5.reply.stall-after-request', script: [{ on: 'request', do: ['stall'] }] },
  {
    fault: 'stall request (UDP ASSOCIATE)',
    caseId: 'socks5.udp.stall-after-request',
    script: [{ on: { request: { command: 'udp-associate' } }, do: ['stall'] }],
  },
  {
    fault: 'stall bind',
    caseId: 'socks5.bind.peer-never-connects',
    script: [{ on: { request: { command: 'bind' } }, do: ['normal', 'stall'] }],
  },
  {
    fault: 'bind-second-reply',
    caseId: 'socks5.bind.second-reply-failure',
    script: [{ on: 'bind-peer', do: [{ reply: { rep: 5 } }] }],
  },
  {
    fault: 'bind-reply-with-data',
    caseId: 'socks5.bind.reply-with-data',
    script: [{ on: 'bind-peer', do: ['hold', 'normal'] }],
  },
  { fault: 'udp-fragment-first', caseId: 'socks5.udp.fragment-dropped', script: decoyFirst({ frag: 1 }) },
  { fault: 'udp-stranger-first', caseId: 'socks5.udp.stranger-dropped', script: decoyFirst({ from: 'stranger' }) },
  {
    fault: 'udp-bad-atyp-first',
    caseId: 'socks5.udp.undefined-atyp-dropped',
    script: decoyFirst({ header: '00 00 00 05 7f 00 00 01 00 00' }),
  },
  {
    fault: 'tunnel-close-early',
    caseId: 'socks5.integrity.tunnel-closed-early',
    script: [{ on: { tunnel: { after: 1024 } }, do: ['close'] }],
  },
];

provePairs(PAIRS, (script) => Socks5ScriptSchema.parse(script));

describe('stall after accept, which no catalogue case uses', () => {
  const certs = openCertStore();
  /** The proxy's events for a client that sends a greeting and a request, then waits 300 ms. */
  async function eventsOf(server: unknown): Promise<string[]> {
    const log = new EventLog();
    const running = await startSocks5Server(Socks5OptionsSchema.parse(server), {
      log,
      bindHost: '127.0.0.1',
      keylog: [],
      cert: (p) => certs.get(p),
    });
    const data: Buffer[] = [];
    await new Promise<void>((resolve) => {
      const socket = connect({ host: '127.0.0.1', port: running.endpoint.port }, () =>
        socket.write(Buffer.from('050100050100017f0000010050', 'hex')),
      );
      socket.on('data', (c: Buffer) => data.push(c));
      setTimeout(() => {
        socket.destroy();
        // A moment for the proxy to see the close.
        setTimeout(resolve, 50);
      }, 300);
    });
    await running.stop();
    expect(Buffer.concat(data).length).toBe(0);
    return log.events
      .filter((e) => e.server === 'socks5' && e.type !== 'fault' && e.type !== 'listening')
      .map((e) => e.type);
  }

  it('gives the same events as its script, on: connect, do: [stall]', async () => {
    const named = await eventsOf({ faults: [{ kind: 'stall', after: 'accept' }] });
    expect(named).toEqual(['connect', 'close']);
    expect(await eventsOf({ script: [{ on: 'connect', do: ['stall'] }] })).toEqual(named);
  });
});
