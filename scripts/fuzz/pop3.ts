import fc from 'fast-check';
import { createPop3Machine } from '../../servers/pop3/machine.js';
import { makeMessages } from '../../servers/pop3/mailbox.js';
import { Pop3OptionsSchema } from '../../servers/pop3/options.js';

/**
 * The POP3 machine never throws and never records a password, whatever lines
 * arrive in whatever state, under every TLS mode and a sample of faults.
 */
const WORDS = [
  'CAPA',
  'STLS',
  'USER conform',
  'PASS conform-pop3-secret',
  'PASS x',
  'AUTH PLAIN',
  'AUTH PLAIN AGNvbmZvcm0AY29uZm9ybS1wb3AzLXNlY3JldA==',
  '*',
  '=',
  'RETR 1',
  'RETR 0',
  'RETR 99999999',
  'TOP 1 3',
  'TOP 1 x',
  'LIST',
  'LIST 2',
  'UIDL',
  'DELE 1',
  'RSET',
  'STAT',
  'NOOP',
  'QUIT',
  '',
  ' ',
  '\x16\x03\x01\x00',
  '\xff\xfe',
];
const line = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
);
const options = fc.record({
  tls: fc.constantFrom('none', 'stls', 'stls-required', 'implicit'),
  faults: fc.subarray([
    { kind: 'inject-after-stls' },
    { kind: 'no-tls-after-go-ahead' },
    { kind: 'stls-readvertised' },
    { kind: 'capa-error', stage: 'both' },
    { kind: 'close-mid-capa' },
    { kind: 'truncate-retr' },
    { kind: 'auth-error' },
    { kind: 'stls-not-advertised', accepted: true },
  ]),
});

export const pop3Property = fc.property(
  options,
  fc.array(fc.tuple(line, fc.boolean()), { maxLength: 60 }),
  (opts, inputs) => {
    const parsed = Pop3OptionsSchema.parse(opts);
    const machine = createPop3Machine(parsed, makeMessages(parsed.mailbox));
    const recorded = [JSON.stringify(machine.start())];
    for (const [text, upgrade] of inputs) {
      const out = machine.line(text);
      recorded.push(JSON.stringify(out.record ?? []));
      if (out.upgrade && upgrade) machine.upgraded();
    }
    recorded.push(JSON.stringify(machine.lineTooLong()));
    if (recorded.join('').includes('conform-pop3-secret')) throw new Error('a password was recorded');
  },
);
