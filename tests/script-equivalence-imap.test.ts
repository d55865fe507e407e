/**
 * Every IMAP named fault has a script (docs/scripting.md): for each, a
 * catalogue case that uses the fault is run twice, once as written and once
 * with the fault replaced by its script, against the reference client and the
 * flawed clients the case names as fail witnesses. Both runs must give the
 * same verdict and the same wire (tests/support/equivalence.ts); truncate-literal's
 * script gives the same verdicts too, but records the completion its cut kept
 * off the wire, so it is left out here. A completion
 * forged for the client's command carries its tag through `{tag}`; the lure
 * of the STARTTLS-keeping faults (AUTH=PLAIN before TLS, no LOGINDISABLED) is
 * the server's options, set beside the script.
 */
import { ImapOptionsSchema } from '../servers/imap/options.js';
import { provePairs, type Pair } from './support/equivalence.js';

const PRE_TLS = ['IMAP4rev1', 'SASL-IR', 'ID', 'ENABLE', 'LITERAL+', 'UNSELECT', 'AUTH=PLAIN'];
const LURE = { capabilities: { before: PRE_TLS } };
const list = (names: string[]): string => names.join(' ');
const stall = (command: string | string[]): unknown[] => [{ on: { command }, do: ['stall'] }];

const PAIRS: Pair[] = [
  {
    fault: 'imap starttls-stripped',
    caseId: 'imap.downgrade.starttls-stripped',
    options: LURE,
    script: [
      { on: 'greeting', do: [{ reply: `* OK [CAPABILITY ${list(PRE_TLS)}] Conform IMAP server ready.` }] },
      {
        on: { command: 'CAPABILITY', layer: 'plaintext' },
        do: [{ reply: [`* CAPABILITY ${list(PRE_TLS)}`, '{tag} OK done'] }],
        times: 5,
        optional: true,
      },
      { on: { command: 'STARTTLS' }, do: [{ reply: '{tag} BAD Unknown command.' }], optional: true },
    ],
  },
  // Against Dovecot's default (starttls-required) the lure takes a plaintext login, as `tls: starttls` does.
  {
    fault: 'imap starttls-stripped (lure)',
    caseId: 'imap.lure.starttls-stripped',
    options: { ...LURE, tls: 'starttls' },
    script: [
      { on: 'greeting', do: [{ reply: `* OK [CAPABILITY ${list(PRE_TLS)}] Conform IMAP server ready.` }] },
      { on: { command: 'STARTTLS' }, do: [{ reply: '{tag} BAD Unknown command.' }], optional: true },
    ],
  },
  {
    fault: 'imap starttls-refused NO',
    caseId: 'imap.downgrade.starttls-refused-no',
    options: LURE,
    script: [
      { on: { command: 'STARTTLS' }, do: [{ reply: '{tag} NO [UNAVAILABLE] TLS is not available right now.' }] },
    ],
  },
  {
    fault: 'imap starttls-refused BAD',
    caseId: 'imap.downgrade.starttls-refused-bad',
    options: LURE,
    script: [{ on: { command: 'STARTTLS' }, do: [{ reply: '{tag} BAD Unknown command.' }] }],
  },
  {
    fault: 'imap starttls-refused inject',
    caseId: 'imap.refusal-injection.tls-optional',
    options: LURE,
    script: [
      {
        on: { command: 'STARTTLS' },
        do: [
          { reply: '{tag} NO [UNAVAILABLE] currently unavailable' },
          { send: 'A2 OK [CAPABILITY IMAP4rev1] Logged in\\r\\n' },
        ],
      },
    ],
  },
  {
    fault: 'imap inject-after-starttls',
    caseId: 'imap.injection.capability-line',
    script: [
      { on: { command: 'STARTTLS' }, do: ['normal', { send: '* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN\\r\\n' }] },
    ],
  },
  {
    fault: 'imap capability-in-starttls-ok untagged',
    caseId: 'imap.starttls.capability-in-ok-untagged',
    script: [
      {
        on: { command: 'STARTTLS' },
        do: [
          { reply: ['* CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN', '{tag} OK Begin TLS negotiation now.'] },
          'starttls',
        ],
      },
    ],
  },
  {
    fault: 'imap capability-in-starttls-ok code',
    caseId: 'imap.starttls.capability-in-ok-code',
    script: [
      {
        on: { command: 'STARTTLS' },
        do: [{ reply: '{tag} OK [CAPABILITY IMAP4rev1 SASL-IR AUTH=PLAIN] Begin TLS negotiation now.' }, 'starttls'],
      },
    ],
  },
  {
    fault: 'imap untagged-before-tls',
    caseId: 'imap.downgrade.untagged-capability-before-tls',
    script: [
      {
        on: 'greeting',
        do: [
          'normal',
          { send: '* CAPABILITY IMAP4rev1 AUTH=PLAIN\\r\\n* OK [ALERT] Your mailbox is almost full.\\r\\n' },
        ],
      },
    ],
  },
  {
    fault: 'imap preauth',
    caseId: 'imap.preauth.plaintext-tls-required',
    script: [
      {
        on: 'greeting',
        do: [
          { reply: '* PREAUTH [CAPABILITY IMAP4rev1 ID ENABLE LITERAL+ UNSELECT] Logged in as conform.' },
          { state: 'logged-in' },
        ],
      },
    ],
  },
  {
    fault: 'imap greeting-bye',
    caseId: 'imap.preauth.bye-greeting',
    script: [{ on: 'greeting', do: [{ reply: '* BYE [UNAVAILABLE] Server is busy, try again later.' }, 'close'] }],
  },
  {
    fault: 'imap login-refused',
    caseId: 'imap.retrieve.login-refused',
    script: [
      {
        on: { command: ['LOGIN', 'AUTHENTICATE'] },
        do: [{ reply: '{tag} NO [AUTHENTICATIONFAILED] Authentication failed.' }],
      },
    ],
  },
  {
    fault: 'imap foreign-tag fetch',
    caseId: 'imap.tags.foreign-tag-fetch',
    script: [{ on: { command: 'FETCH' }, do: [{ reply: 'Z999 OK FETCH completed.' }, 'normal'] }],
  },
  {
    fault: 'imap foreign-tag login',
    caseId: 'imap.tags.foreign-tag-login',
    script: [{ on: { command: ['LOGIN', 'AUTHENTICATE'] }, do: [{ reply: 'Z999 OK LOGIN completed.' }, 'normal'] }],
  },
  {
    fault: 'imap no-tls-after-go-ahead',
    caseId: 'imap.downgrade.no-tls-after-go-ahead',
    alsoRecords: ['client-hello'],
    script: [
      { on: { command: 'STARTTLS' }, do: [{ reply: '{tag} OK Begin TLS negotiation now.' }] },
      { on: 'client-hello', do: ['ignore'], optional: true },
    ],
  },
  {
    fault: 'imap handshake-failure',
    caseId: 'imap.downgrade.handshake-failure',
    script: [{ on: 'client-hello', do: [{ alert: 'handshake_failure' }, 'close'] }],
  },
  {
    fault: 'imap plaintext-banner',
    caseId: 'imap.implicit.plaintext-banner',
    script: [{ on: 'connect', do: [{ send: '* OK IMAP server ready (in plaintext)\\r\\n' }] }],
  },
  {
    fault: 'imap stall greeting',
    caseId: 'imap.robustness.stall-greeting',
    script: [{ on: 'greeting', do: ['stall'] }],
  },
  { fault: 'imap stall starttls', caseId: 'imap.robustness.stall-starttls', script: stall('STARTTLS') },
  { fault: 'imap stall login', caseId: 'imap.robustness.stall-login', script: stall(['LOGIN', 'AUTHENTICATE']) },
  { fault: 'imap stall select', caseId: 'imap.robustness.stall-select', script: stall(['SELECT', 'EXAMINE']) },
  { fault: 'imap stall fetch', caseId: 'imap.robustness.stall-fetch', script: stall(['FETCH', 'UID']) },
];

provePairs(PAIRS, (script) => ImapOptionsSchema.shape.script.parse(script));
