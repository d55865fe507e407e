/**
 * Issue #13: every named fault is expressible with the script layer. For each
 * named fault of SMTP (all 15) and POP3 (all 13), and the FTPS control-channel
 * faults below (the data channel's are in script-equivalence-ftps.test.ts), a
 * catalogue case that uses the fault is run twice, once as written and once
 * with the fault replaced by its script (servers/shared/script), against the
 * reference client and the flawed clients the case names as fail witnesses.
 * Both runs must give the same verdict and the same wire (tests/support/equivalence.ts).
 *
 * What a fault does besides its words is said with the script's own means: a
 * reply edited on its way out (`normal: { drop: ^STARTTLS }`), a ClientHello
 * answered with an alert or swallowed (`client-hello`), a banner before the
 * implicit handshake (`connect`), the end of the message data (`message`), the
 * outcome of an AUTH exchange (`normal: { final }`), a retrieval cut short
 * (`normal: { cut }`). The lure a fault offers (AUTH in plaintext) is the
 * server's options, set beside the script.
 */
import { ScriptSchema } from '../servers/shared/script/schema.js';
import { provePairs, type Pair } from './support/equivalence.js';

/** What refuse-starttls and refuse-ehlo offer besides their words (capabilities.ts, the lure): AUTH in plaintext, as options. */
const SMTP_LURE = {
  capabilities: {
    before: ['PIPELINING', 'SIZE', 'STARTTLS', 'AUTH', 'ENHANCEDSTATUSCODES', '8BITMIME'],
    after: ['PIPELINING', 'SIZE', 'AUTH', 'ENHANCEDSTATUSCODES', '8BITMIME'],
  },
};
const POP3_CAPA_NO_STLS = [
  '+OK Capability list follows',
  'TOP',
  'UIDL',
  'RESP-CODES',
  'PIPELINING',
  'AUTH-RESP-CODE',
  'USER',
  'SASL PLAIN',
  '.',
];
const starttlsRefused = (code: string, text: string, inject?: string): unknown[] => [
  {
    on: { command: 'STARTTLS', layer: 'plaintext' },
    do: [{ reply: `${code} ${text}` }, ...(inject ? [{ send: inject }] : [])],
  },
];
const stall = (command: string, extra: Record<string, unknown> = {}): unknown[] => [
  { on: { command, nth: 1, ...extra }, do: ['stall'] },
];

const PAIRS: Pair[] = [
  // SMTP
  {
    fault: 'smtp refuse-starttls 454',
    caseId: 'smtp.starttls.refused-454',
    options: SMTP_LURE,
    script: starttlsRefused('454', '4.7.0 TLS not available due to local problem'),
  },
  {
    fault: 'smtp refuse-starttls 502',
    caseId: 'smtp.starttls.refused-502',
    options: SMTP_LURE,
    script: starttlsRefused('502', '5.5.1 Error: command not implemented'),
  },
  {
    fault: 'smtp refuse-starttls 500',
    caseId: 'smtp.starttls.refused-500',
    options: SMTP_LURE,
    script: starttlsRefused('500', '5.5.2 Error: command not recognized'),
  },
  {
    fault: 'smtp refuse-starttls 354',
    caseId: 'smtp.starttls.refused-354',
    options: SMTP_LURE,
    script: starttlsRefused('354', '3.0.0 Go ahead'),
  },
  {
    fault: 'smtp refuse-starttls (lure)',
    caseId: 'smtp.lure.refused-454-no-credentials',
    options: SMTP_LURE,
    script: starttlsRefused('454', '4.7.0 TLS not available due to local problem'),
  },
  {
    fault: 'smtp refuse-starttls inject',
    caseId: 'smtp.refusal-injection.tls-optional-envelope',
    options: SMTP_LURE,
    script: starttlsRefused(
      '454',
      '4.7.0 TLS not available due to local problem',
      '250 2.1.0 Sender ok\\r\\n250 2.1.5 Recipient ok\\r\\n354 Enter mail\\r\\n250 2.0.0 Accepted\\r\\n',
    ),
  },
  {
    fault: 'smtp refuse-ehlo',
    caseId: 'smtp.starttls.ehlo-refused',
    options: SMTP_LURE,
    script: [{ on: { command: 'EHLO' }, do: [{ reply: '500 5.5.2 Error: command not recognized' }], times: 5 }],
  },
  {
    fault: 'smtp inject-after-starttls',
    caseId: 'smtp.injection.reply-lines',
    script: [
      { on: { command: 'STARTTLS' }, do: ['normal', { send: '250-mail.conform.test\\r\\n250 AUTH PLAIN\\r\\n' }] },
    ],
  },
  {
    fault: 'smtp refuse-greeting 421',
    caseId: 'smtp.robustness.greeting-421',
    script: [{ on: 'greeting', do: [{ reply: '421 4.3.2 mail.conform.test Service not available' }, 'close'] }],
  },
  {
    fault: 'smtp refuse-greeting 554',
    caseId: 'smtp.robustness.greeting-554',
    script: [
      { on: 'greeting', do: [{ reply: '554 5.3.2 mail.conform.test No SMTP service here' }] },
      { on: { command: 'QUIT' }, do: ['normal'] },
      { on: { command: '*' }, do: [{ reply: '503 5.5.1 Error: no SMTP service here, send QUIT' }], times: 50 },
    ],
  },
  {
    fault: 'smtp reject-rcpt',
    caseId: 'smtp.data.recipient-refused-550',
    script: [
      { on: { command: 'RCPT', args: 'nobody' }, do: [{ reply: '550 5.1.1 Recipient address rejected' }], times: 10 },
    ],
  },
  {
    fault: 'smtp reject-auth',
    caseId: 'smtp.data.auth-refused',
    script: [{ on: { command: 'AUTH' }, do: [{ reply: '535 5.7.8 Error: authentication failed' }], times: 5 }],
  },
  {
    fault: 'smtp stall greeting',
    caseId: 'smtp.robustness.stall-greeting',
    script: [{ on: 'greeting', do: ['stall'] }],
  },
  { fault: 'smtp stall ehlo', caseId: 'smtp.robustness.stall-ehlo', script: stall('EHLO') },
  { fault: 'smtp stall starttls', caseId: 'smtp.robustness.stall-starttls', script: stall('STARTTLS') },
  { fault: 'smtp stall auth', caseId: 'smtp.robustness.stall-auth', script: stall('AUTH') },
  { fault: 'smtp stall mail', caseId: 'smtp.robustness.stall-mail', script: stall('MAIL') },
  { fault: 'smtp stall rcpt', caseId: 'smtp.robustness.stall-rcpt', script: stall('RCPT') },
  { fault: 'smtp stall data', caseId: 'smtp.robustness.stall-data', script: stall('DATA') },
  {
    fault: 'smtp stall ehlo (tls)',
    caseId: 'smtp.robustness.stall-ehlo-inside-tls',
    script: stall('EHLO', { layer: 'tls' }),
  },
  {
    fault: 'smtp stall greeting (implicit)',
    caseId: 'smtp.robustness.stall-implicit-greeting',
    script: [{ on: 'greeting', do: ['stall'] }],
  },
  {
    fault: 'smtp close-mid-reply ehlo',
    caseId: 'smtp.robustness.ehlo-cut-short',
    script: [
      {
        on: { command: 'EHLO' },
        do: [{ reply: ['250-mail.conform.test', '250-PIPELINING', '250-SIZE 10240000'] }, 'close'],
      },
    ],
  },
  {
    fault: 'smtp hide-starttls',
    caseId: 'smtp.starttls.not-advertised-but-accepted',
    options: SMTP_LURE,
    script: [{ on: { command: 'EHLO', layer: 'plaintext' }, do: [{ normal: { drop: '^STARTTLS' } }], times: 5 }],
  },
  {
    fault: 'smtp strip-starttls',
    caseId: 'smtp.starttls.stripped',
    options: SMTP_LURE,
    script: [
      { on: { command: 'EHLO', layer: 'plaintext' }, do: [{ normal: { drop: '^STARTTLS' } }], times: 5 },
      {
        on: { command: 'STARTTLS' },
        do: [{ reply: '502 5.5.2 Error: command not recognized' }],
        times: 5,
        optional: true,
      },
    ],
  },
  {
    fault: 'smtp starttls-after-tls',
    caseId: 'smtp.order.no-starttls-inside-tls',
    script: [
      { on: { command: 'EHLO', layer: 'tls' }, do: [{ normal: { add: 'STARTTLS' } }], times: 5 },
      { on: { command: 'STARTTLS', layer: 'tls' }, do: ['normal'], times: 5, optional: true },
    ],
  },
  {
    fault: 'smtp no-tls-after-go-ahead',
    alsoRecords: ['client-hello'],
    caseId: 'smtp.starttls.no-tls-after-go-ahead',
    script: [
      { on: { command: 'STARTTLS' }, do: [{ reply: '220 2.0.0 Ready to start TLS' }] },
      // Swallowed, the session reading on in plaintext; a client that never tries TLS still met the false go-ahead.
      { on: 'client-hello', do: ['ignore'], optional: true },
    ],
  },
  {
    fault: 'smtp handshake-failure',
    caseId: 'smtp.starttls.handshake-failure',
    script: [{ on: 'client-hello', do: [{ alert: 'handshake_failure' }, 'close'] }],
  },
  {
    fault: 'smtp handshake-failure (implicit)',
    caseId: 'smtp.implicit.handshake-failure',
    script: [{ on: 'client-hello', do: [{ alert: 'handshake_failure' }, 'close'] }],
  },
  {
    fault: 'smtp plaintext-banner',
    caseId: 'smtp.implicit.plaintext-banner',
    script: [{ on: 'connect', do: [{ send: '220 mail.conform.test ESMTP ready\\r\\n' }] }],
  },
  {
    fault: 'smtp reject-message',
    caseId: 'smtp.data.refused-after-data-554',
    script: [{ on: 'message', do: [{ reply: '554 5.7.1 Message rejected: content refused' }] }],
  },
  { fault: 'smtp stall message', caseId: 'smtp.robustness.stall-message', script: [{ on: 'message', do: ['stall'] }] },
  {
    fault: 'smtp close-mid-reply message',
    caseId: 'smtp.data.final-reply-cut-short',
    script: [{ on: 'message', do: [{ reply: '250-2.0.0 Ok: queued as CONFORM1' }, 'close'] }],
  },
  {
    fault: 'smtp reject-auth (end of the exchange)',
    caseId: 'smtp.data.auth-refused',
    script: [
      { on: { command: 'AUTH' }, do: [{ normal: { final: '535 5.7.8 Error: authentication failed' } }], times: 5 },
    ],
  },
  // POP3
  {
    fault: 'pop3 stls-not-advertised accepted',
    caseId: 'pop3.downgrade.stls-hidden-but-accepted',
    script: [{ on: { command: 'CAPA', layer: 'plaintext' }, do: [{ reply: POP3_CAPA_NO_STLS }], times: 5 }],
  },
  {
    fault: 'pop3 stls-refused',
    caseId: 'pop3.downgrade.stls-refused',
    script: [{ on: { command: 'STLS' }, do: [{ reply: '-ERR [SYS/TEMP] TLS is not available right now' }] }],
  },
  {
    fault: 'pop3 stls-refused inject',
    caseId: 'pop3.refusal-injection.tls-optional',
    script: [
      {
        on: { command: 'STLS' },
        do: [{ reply: '-ERR currently unavailable' }, { send: '+OK user accepted\\r\\n+OK authenticated\\r\\n' }],
      },
    ],
  },
  {
    fault: 'pop3 capa-error',
    caseId: 'pop3.downgrade.capa-error',
    script: [{ on: { command: 'CAPA', layer: 'plaintext' }, do: [{ reply: '-ERR Unknown command.' }], times: 5 }],
  },
  {
    fault: 'pop3 inject-after-stls',
    caseId: 'pop3.injection.capa-lines',
    script: [
      { on: { command: 'STLS' }, do: ['normal', { send: '+OK Capability list follows\\r\\nUSER\\r\\n.\\r\\n' }] },
    ],
  },
  {
    fault: 'pop3 stls-readvertised',
    caseId: 'pop3.stls.not-restarted',
    script: [
      {
        on: { command: 'CAPA', layer: 'tls' },
        do: [{ reply: [...POP3_CAPA_NO_STLS.slice(0, -1), 'STLS', '.'] }],
        times: 5,
      },
    ],
  },
  {
    fault: 'pop3 greeting-error',
    caseId: 'pop3.downgrade.greeting-error',
    script: [{ on: 'greeting', do: [{ reply: '-ERR [SYS/TEMP] Service temporarily unavailable' }, 'close'] }],
  },
  {
    fault: 'pop3 auth-error',
    caseId: 'pop3.retrieve.auth-error',
    script: [{ on: { command: 'PASS' }, do: [{ reply: '-ERR [AUTH] Authentication failed.' }], times: 5 }],
  },
  {
    fault: 'pop3 close-mid-capa',
    caseId: 'pop3.downgrade.close-mid-capa',
    script: [
      {
        on: { command: 'CAPA', layer: 'plaintext' },
        do: [{ reply: ['+OK Capability list follows', 'TOP', 'UIDL'] }, 'close'],
      },
    ],
  },
  {
    fault: 'pop3 close-mid-capa (tls)',
    caseId: 'pop3.robustness.close-mid-capa-inside-tls',
    script: [
      {
        on: { command: 'CAPA', layer: 'tls' },
        do: [{ reply: ['+OK Capability list follows', 'TOP', 'UIDL'] }, 'close'],
      },
    ],
  },
  {
    fault: 'pop3 stall greeting',
    caseId: 'pop3.robustness.stall-greeting',
    script: [{ on: 'greeting', do: ['stall'] }],
  },
  { fault: 'pop3 stall capa', caseId: 'pop3.robustness.stall-capa', script: stall('CAPA') },
  { fault: 'pop3 stall stls', caseId: 'pop3.robustness.stall-stls', script: stall('STLS') },
  { fault: 'pop3 stall after-tls', caseId: 'pop3.robustness.stall-after-tls', script: stall('*', { layer: 'tls' }) },
  {
    fault: 'pop3 stall handshake',
    caseId: 'pop3.robustness.stall-handshake',
    script: [{ on: { command: 'STLS' }, do: [{ reply: '+OK Begin TLS negotiation now.' }, 'stall'] }],
  },
  { fault: 'pop3 stall login', caseId: 'pop3.robustness.stall-login', script: stall('USER') },
  { fault: 'pop3 stall credentials', caseId: 'pop3.robustness.stall-credentials', script: stall('PASS') },
  { fault: 'pop3 stall retr', caseId: 'pop3.robustness.stall-retr', script: stall('RETR') },
  {
    fault: 'pop3 no-tls-after-go-ahead',
    alsoRecords: ['client-hello'],
    caseId: 'pop3.downgrade.no-tls-after-go-ahead',
    script: [
      { on: { command: 'STLS' }, do: [{ reply: '+OK Begin TLS negotiation now.' }] },
      // Swallowed, the session reading on in plaintext; a client that never tries TLS still met the false go-ahead.
      { on: 'client-hello', do: ['ignore'], optional: true },
    ],
  },
  {
    fault: 'pop3 handshake-failure',
    caseId: 'pop3.downgrade.handshake-failure',
    script: [{ on: 'client-hello', do: [{ alert: 'handshake_failure' }, 'close'] }],
  },
  {
    fault: 'pop3 handshake-failure (implicit)',
    caseId: 'pop3.implicit.handshake-failure',
    script: [{ on: 'client-hello', do: [{ alert: 'handshake_failure' }, 'close'] }],
  },
  {
    fault: 'pop3 plaintext-banner',
    caseId: 'pop3.implicit.plaintext-banner',
    script: [{ on: 'connect', do: [{ send: '+OK POP3 server ready (in plaintext)\\r\\n' }] }],
  },
  {
    fault: 'pop3 stls-not-advertised',
    caseId: 'pop3.downgrade.stls-not-advertised',
    script: [
      { on: { command: 'CAPA', layer: 'plaintext' }, do: [{ normal: { drop: '^STLS' } }], times: 5 },
      { on: { command: 'STLS' }, do: [{ reply: '-ERR Unknown command.' }], times: 5, optional: true },
    ],
  },
  {
    fault: 'pop3 truncate-retr',
    caseId: 'pop3.retrieve.truncated',
    script: [{ on: { command: 'RETR' }, do: [{ normal: { cut: 0.5 } }, 'close'] }],
  },
  {
    fault: 'pop3 stall retr-body',
    caseId: 'pop3.robustness.stall-retr-body',
    script: [{ on: { command: 'RETR' }, do: [{ normal: { cut: 0.5 } }, 'stall'] }],
  },
  // FTPS
  {
    fault: 'ftps auth-refused 534',
    caseId: 'ftps.negotiation.auth-refused-534',
    script: [{ on: { command: 'AUTH' }, do: [{ reply: '534 AUTH TLS not available.' }], times: 5 }],
  },
  {
    fault: 'ftps auth-refused 504',
    caseId: 'ftps.negotiation.auth-refused-504',
    script: [{ on: { command: 'AUTH' }, do: [{ reply: '504 AUTH TLS not available.' }], times: 5 }],
  },
  {
    fault: 'ftps inject-after-auth',
    caseId: 'ftps.injection.after-234',
    script: [{ on: { command: 'AUTH' }, do: ['normal', { send: '230 User logged in, proceed.\\r\\n' }] }],
  },
  {
    fault: 'ftps prot-refused',
    caseId: 'ftps.negotiation.prot-refused-download',
    script: [{ on: { command: 'PROT', args: '^[Pp]' }, do: [{ reply: '536 PROT P not supported.' }], times: 5 }],
  },
  {
    fault: 'ftps type-i-refused',
    caseId: 'ftps.integrity.type-i-refused',
    script: [{ on: { command: 'TYPE', args: '^[Ii]' }, do: [{ reply: '504 Binary mode not available.' }], times: 5 }],
  },
  {
    fault: 'ftps stall greeting',
    caseId: 'ftps.robustness.stall-greeting',
    script: [{ on: 'greeting', do: ['stall'] }],
  },
  { fault: 'ftps stall auth', caseId: 'ftps.robustness.stall-auth', script: stall('AUTH') },
  {
    fault: 'ftps stall handshake',
    caseId: 'ftps.robustness.stall-handshake',
    script: [{ on: { command: 'AUTH' }, do: [{ reply: '234 Proceed with negotiation.' }, 'stall'] }],
  },
  {
    fault: 'ftps stall transfer',
    caseId: 'ftps.robustness.stall-transfer',
    script: [{ on: { command: 'RETR' }, do: [{ reply: '150 Opening BINARY mode data connection.' }, 'stall'] }],
  },
  { fault: 'ftps stall login', caseId: 'ftps.robustness.stall-login', script: stall('USER') },
  { fault: 'ftps stall pasv', caseId: 'ftps.robustness.stall-pasv', script: stall('EPSV') },
];

provePairs(PAIRS, (script) => ScriptSchema.parse(script));
