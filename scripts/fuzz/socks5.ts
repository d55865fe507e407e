import fc from 'fast-check';
import { createSocks5Machine } from '../../servers/socks5/machine.js';
import { Socks5OptionsSchema } from '../../servers/socks5/options.js';
import { describeDatagram, parseDatagram } from '../../servers/socks5/udp.js';

/**
 * The SOCKS5 machine never throws, never records the password, and never
 * writes a reply longer than RFC 1928 allows, whatever bytes arrive in
 * whatever chunks, with a sample of methods and faults.
 */
const SECRET = 'conform-socks-secret';
const PIECES = [
  '050100',
  '05020002',
  '050102',
  '0503000102',
  '05ff',
  '0400',
  '050180',
  `0107conform14${Buffer.from(SECRET).toString('hex')}`,
  `0507conform14${Buffer.from(SECRET).toString('hex')}`,
  '0100',
  '01ff',
  '050100037f000001',
  '05010003137461726765742e636f6e666f726d2e746573740050',
  '0501000300' + '0050',
  '050200017f0000010050',
  '05010004000000000000000000000000000000010050',
  '05010009',
  '05030001000000000000',
  '05020003137461726765742e636f6e666f726d2e746573740050',
  '',
];
const chunk = fc.oneof(
  fc.constantFrom(...PIECES).map((p) => Buffer.from(p, 'hex')),
  fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)),
);
const options = fc.record({
  command: fc.constantFrom('connect', 'bind', 'udp-associate'),
  methods: fc.subarray(['none', 'gssapi', 'username-password', 'private'] as const, { minLength: 1 }),
  faults: fc.subarray([
    { kind: 'select-no-acceptable' },
    { kind: 'select-unoffered' },
    { kind: 'auth-failure' },
    { kind: 'reply-code', code: 5 },
    { kind: 'reply-version', version: 4 },
    { kind: 'bnd-addr', atyp: 'domain' },
    { kind: 'split-replies' },
    { kind: 'truncate-reply', bytes: 3 },
    { kind: 'stall', after: 'auth' },
    { kind: 'stall', after: 'bind' },
    { kind: 'bind-second-reply', code: 1 },
    { kind: 'bind-reply-with-data' },
  ]),
});

export const socks5Property = fc.property(
  options,
  fc.array(fc.tuple(chunk, fc.boolean()), { maxLength: 40 }),
  (opts, inputs) => {
    const machine = createSocks5Machine(Socks5OptionsSchema.parse(opts));
    const recorded: string[] = [];
    for (const [bytes, succeed] of inputs) {
      const out = machine.push(bytes);
      recorded.push(JSON.stringify(out.events));
      for (const w of out.writes) if (w.length > 262) throw new Error(`a ${w.length}-byte write`);
      if (out.connect) {
        const reply = machine.connected(succeed ? { ok: true, boundPort: 1080 } : { ok: false, rep: 4 });
        recorded.push(JSON.stringify(reply.events));
        if (reply.awaitPeer)
          recorded.push(JSON.stringify(machine.peerConnected({ addr: '127.0.0.1', port: 2000 }).events));
      }
    }
    if (recorded.join('').includes(SECRET)) throw new Error('a password was recorded');
  },
);

/** The relay's datagram parser takes any bytes: a parse or a reason, never a throw, and the header it reads fits the datagram. */
export const socks5DatagramProperty = fc.property(
  fc.oneof(
    fc.uint8Array({ maxLength: 600 }),
    fc
      .tuple(
        fc.constantFrom(
          ...['000000017f0000010050', '00000003', '0000000300', '000000041234', '00000105ff'].map((p) =>
            Buffer.from(p, 'hex'),
          ),
        ),
        fc.uint8Array({ maxLength: 300 }),
      )
      .map(([h, t]) => Buffer.concat([h, t])),
  ),
  (raw) => {
    const bytes = Buffer.from(raw);
    const parsed = parseDatagram(bytes);
    if (parsed.ok) {
      describeDatagram(parsed.datagram);
      if (parsed.datagram.data.length > bytes.length - 6) throw new Error('data overlaps the header');
    } else if (!parsed.why) throw new Error('a refusal without a reason');
  },
);
