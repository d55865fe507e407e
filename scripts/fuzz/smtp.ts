import fc from 'fast-check';
import { SmtpMachine } from '../../servers/smtp/machine.js';
import { SmtpOptionsSchema } from '../../servers/smtp/options.js';

/**
 * The SMTP machine never throws and never records a secret, whatever lines
 * arrive, however they are grouped into chunks, in whatever state: hostile
 * bytes, half-finished AUTH exchanges, DATA, pipelined groups around STARTTLS,
 * under every TLS mode and a sample of faults.
 */
const SECRET = 'conform-secret-7';
const PLAIN = Buffer.from(`\0alice\0${SECRET}`).toString('base64');
const WORDS = [
  'EHLO c',
  'HELO c',
  'STARTTLS',
  `AUTH PLAIN ${PLAIN}`,
  'AUTH PLAIN',
  PLAIN,
  'AUTH LOGIN',
  Buffer.from('alice').toString('base64'),
  Buffer.from(SECRET).toString('base64'),
  '*',
  'MAIL FROM:<a@b>',
  'MAIL FROM:<a@b> SIZE=99999999999',
  'RCPT TO:<c@d>',
  'RCPT TO:<nobody@x>',
  'DATA',
  '.',
  '..',
  'Subject: x',
  '',
  'RSET',
  'NOOP',
  'QUIT',
  '\x16\x03\x01\x00\x05',
  '\xff\xfe\x00',
];
const line = fc.oneof(
  fc.constantFrom(...WORDS),
  fc.string({ maxLength: 300 }),
  fc.uint8Array({ maxLength: 300 }).map((b) => Buffer.from(b).toString('latin1')),
);
const options = fc.record({
  tls: fc.constantFrom('none', 'starttls', 'starttls-required', 'implicit'),
  auth: fc.record({ required: fc.boolean() }),
  faults: fc.subarray([
    { kind: 'inject-after-starttls' },
    { kind: 'no-tls-after-go-ahead' },
    { kind: 'starttls-after-tls' },
    { kind: 'hide-starttls' },
    { kind: 'refuse-ehlo' },
    { kind: 'reject-rcpt', match: 'nobody' },
    { kind: 'reject-message' },
    { kind: 'reject-auth' },
    { kind: 'close-mid-reply', at: 'message' },
    { kind: 'refuse-greeting' },
  ]),
});

export const smtpProperty = fc.property(
  options,
  fc.array(fc.tuple(line, fc.boolean(), fc.boolean()), { maxLength: 80 }),
  (opts, inputs) => {
    const parsed = SmtpOptionsSchema.parse(opts);
    const machine = new SmtpMachine(parsed, { message: null }, parsed.tls === 'implicit');
    const recorded = [JSON.stringify(machine.start())];
    for (const [text, newChunk, upgrade] of inputs) {
      if (newChunk) machine.newChunk();
      const out = machine.line(text);
      recorded.push(JSON.stringify(out.record ?? []));
      if (out.upgrade && upgrade) recorded.push(JSON.stringify(machine.upgraded()));
    }
    recorded.push(JSON.stringify(machine.lineTooLong()));
    const all = recorded.join('');
    if (all.includes(SECRET) || all.includes(PLAIN)) throw new Error('a secret was recorded');
    if (all.includes('server-error')) throw new Error('the machine reported a server error');
  },
);
