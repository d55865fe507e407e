import fc from 'fast-check';
import { createSocks5Machine } from '../../servers/socks5/machine.js';
import { Socks5OptionsSchema } from '../../servers/socks5/options.js';

/**
 * The SOCKS5 machine never throws, never records the password, and never
 * writes a reply longer than RFC 1928 allows, whatever bytes arrive in
 * whatever chunks, with a sample of methods and faults.
 */
const SECRET = 'conform-socks-secret';
const PIECES = [
  '050100', '05020002', '050102', '0503000102', '05ff', '0400', '050180',
  `0107conform14${Buffer.from(SECRET).toString('hex')}`, `0507conform14${Buffer.from(SECRET).toString('hex')}`, '0100', '01ff',
  '050100037f000001', '05010003137461726765742e636f6e666f726d2e746573740050', '0501000300' + '0050', '050200017f0000010050',
  '05010004000000000000000000000000000000010050', '05010009', '',
];
const chunk = fc.oneof(fc.constantFrom(...PIECES).map((p) => Buffer.from(p, 'hex')), fc.uint8Array({ maxLength: 600 }).map((b) => Buffer.from(b)));
const options = fc.record({
  methods: fc.subarray(['none', 'gssapi', 'username-password', 'private'] as const, { minLength: 1 }),
  faults: fc.subarray([
    { kind: 'select-no-acceptable' }, { kind: 'select-unoffered' }, { kind: 'auth-failure' }, { kind: 'reply-code', code: 5 },
    { kind: 'reply-version', version: 4 }, { kind: 'bnd-addr', atyp: 'domain' }, { kind: 'split-replies' }, { kind: 'truncate-reply', bytes: 3 },
    { kind: 'stall', after: 'auth' },
  ]),
});

export const socks5Property = fc.property(options, fc.array(fc.tuple(chunk, fc.boolean()), { maxLength: 40 }), (opts, inputs) => {
  const machine = createSocks5Machine(Socks5OptionsSchema.parse(opts));
  const recorded: string[] = [];
  for (const [bytes, succeed] of inputs) {
    const out = machine.push(bytes);
    recorded.push(JSON.stringify(out.events));
    for (const w of out.writes) if (w.length > 262) throw new Error(`a ${w.length}-byte write`);
    if (out.connect) recorded.push(JSON.stringify(machine.connected(succeed ? { ok: true, boundPort: 1080 } : { ok: false, rep: 4 }).events));
  }
  if (recorded.join('').includes(SECRET)) throw new Error('a password was recorded');
});
