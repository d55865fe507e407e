/**
 * Issue #13: every named fault is expressible with the script layer. For each
 * named fault of SMTP, POP3 and FTPS (control connection) that a script can
 * say today, a catalogue case that uses the fault is run twice, once as written
 * and once with the fault replaced by its script (servers/shared/script), against
 * the reference client and the flawed clients the case names as fail witnesses.
 * Both runs must give the same verdict and the same wire: the commands (verb
 * and layer), replies (code and layer), connections, credentials and TLS events recorded,
 * ignoring `fault` events, texts and timing.
 *
 * Not expressible today (the engine would need what is said in brackets):
 * - SMTP hide-starttls, strip-starttls, starttls-after-tls: the EHLO reply must
 *   change while the machine still takes EHLO (greeted, extended); a rule that
 *   answers EHLO alone leaves the machine ungreeted (MAIL gets 503). [an action
 *   that runs the machine and edits its reply: `{ normal: { drop: STARTTLS } }` /
 *   `{ normal: { add: STARTTLS } }`, or `normal` with its bytes replaced]
 * - SMTP refuse-starttls / POP3 stls-not-advertised (accepted: false) when the
 *   client does not send STARTTLS/STLS: the refusal rule must be allowed not to
 *   fire. [a rule flag `optional: true` that the reach check skips] The pairs
 *   below hold only the rules these clients reach; FTPS auth-refused with 500/502
 *   (FEAT without AUTH) and its refusal of the second AUTH need the same flag.
 * - SMTP and POP3 no-tls-after-go-ahead: after the go-ahead the fault holds the
 *   connection in plaintext, takes the ClientHello as a ClientHello (recorded,
 *   never answered) and records `plaintext-after-hello` for what follows; a
 *   script's 220/+OK leaves the machine reading the ClientHello as command lines
 *   and answering them. [an action `fake-tls`: swallow a TLS record, record
 *   client-hello, then plaintext-after-hello, as the fault's shell does]
 * - FTPS auth-refused with `inject`: a ClientHello after the injected 234 is
 *   recorded and the connection closed. [a trigger `on: client-hello` (a TLS
 *   record where a command line was expected), with `close`]
 * - SMTP, POP3, FTPS handshake-failure: acts on the TLS handshake. [an action
 *   `{ tls: { ciphers: … } }` or `tls-alert: handshake_failure` at the upgrade]
 * - SMTP, POP3, FTPS plaintext-banner: bytes before the implicit handshake; the
 *   `greeting` trigger fires inside TLS. [a trigger `before-tls` on implicit ports]
 * - SMTP reject-message, stall at message, close-mid-reply at message: the end of
 *   the message data is no command line, and the engine leaves lines the machine
 *   reads as data to it. [a trigger `on: message` (the "." line that ends DATA)]
 * - POP3 truncate-retr, stall at retr-body: part of the machine's own answer.
 *   [an action `{ cut: FRACTION }` on `normal`'s bytes, followed by close/stall]
 * - POP3 auth-error on AUTH (SASL), SMTP reject-auth with AUTH LOGIN: the fault
 *   refuses at the end of the exchange (after the credentials); a rule answers
 *   the AUTH line itself. [`normal` through the exchange, its final reply
 *   replaced, e.g. `{ normal: { final: '535 …' } }`] (USER/PASS and AUTH PLAIN
 *   with an initial response, which these clients use, are below.)
 * - A fault that acts on one of several commands (POP3 stall at login: USER or
 *   AUTH; FTPS stall at pasv: PASV, EPSV, PORT or EPRT; SMTP refuse-greeting 554:
 *   503 to every command but QUIT): one rule per verb, and every rule must fire.
 *   [`optional: true` as above, or a verb list `command: [PASV, EPSV]`] The pairs
 *   below hold the verb these clients send; the 554 case is info, so its unfired
 *   503 rule is not judged.
 * - FTPS greeting-230, auth-refused's lure (331/230 to any account in clear):
 *   they change what the machine accepts (logged in), not what it says. [an
 *   action setting machine state, e.g. `{ state: logged-in }`]
 * - FTPS pasv-foreign-address, no-data-connection, missing-150,
 *   clear-data-after-prot-p, truncate-data, transfer-aborted: the data channel
 *   (a trap listener, a data connection closed or served in clear); a 425 script
 *   leaves the client's data connection open and a flawed client reads that
 *   differently. [data-channel actions: `{ data: close | clear | cut }`, a trap]
 * - FTPS multiline-replies, lf-replies: every reply rewritten. [a transform over
 *   all replies, e.g. `{ on: '*', do: [{ normal: { lineEnd: LF } }] }`]
 */
import { ScriptSchema } from '../servers/shared/script/schema.js';
import { provePairs, type Pair } from './support/equivalence.js';

/** What refuse-starttls and refuse-ehlo offer besides their words (capabilities.ts, the lure): AUTH in plaintext, as options. */
const SMTP_LURE = { capabilities: { before: ['PIPELINING', 'SIZE', 'STARTTLS', 'AUTH', 'ENHANCEDSTATUSCODES', '8BITMIME'], after: ['PIPELINING', 'SIZE', 'AUTH', 'ENHANCEDSTATUSCODES', '8BITMIME'] } };
const POP3_CAPA_NO_STLS = ['+OK Capability list follows', 'TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE', 'USER', 'SASL PLAIN', '.'];
const starttlsRefused = (code: string, text: string, inject?: string): unknown[] => [
  { on: { command: 'STARTTLS', layer: 'plaintext' }, do: [{ reply: `${code} ${text}` }, ...(inject ? [{ send: inject }] : [])] },
];
const stall = (command: string, extra: Record<string, unknown> = {}): unknown[] => [{ on: { command, nth: 1, ...extra }, do: ['stall'] }];

const PAIRS: Pair[] = [
  // SMTP
  { fault: 'smtp refuse-starttls 454', caseId: 'smtp.starttls.refused-454', options: SMTP_LURE, script: starttlsRefused('454', '4.7.0 TLS not available due to local problem') },
  { fault: 'smtp refuse-starttls 502', caseId: 'smtp.starttls.refused-502', options: SMTP_LURE, script: starttlsRefused('502', '5.5.1 Error: command not implemented') },
  { fault: 'smtp refuse-starttls 500', caseId: 'smtp.starttls.refused-500', options: SMTP_LURE, script: starttlsRefused('500', '5.5.2 Error: command not recognized') },
  { fault: 'smtp refuse-starttls 354', caseId: 'smtp.starttls.refused-354', options: SMTP_LURE, script: starttlsRefused('354', '3.0.0 Go ahead') },
  { fault: 'smtp refuse-starttls (lure)', caseId: 'smtp.lure.refused-454-no-credentials', options: SMTP_LURE, script: starttlsRefused('454', '4.7.0 TLS not available due to local problem') },
  { fault: 'smtp refuse-starttls inject', caseId: 'smtp.refusal-injection.tls-optional-envelope', options: SMTP_LURE, script: starttlsRefused('454', '4.7.0 TLS not available due to local problem', '250 2.1.0 Sender ok\\r\\n250 2.1.5 Recipient ok\\r\\n354 Enter mail\\r\\n250 2.0.0 Accepted\\r\\n') },
  { fault: 'smtp refuse-ehlo', caseId: 'smtp.starttls.ehlo-refused', options: SMTP_LURE, script: [
    { on: { command: 'EHLO' }, do: [{ reply: '500 5.5.2 Error: command not recognized' }], times: 5 },
  ] },
  { fault: 'smtp inject-after-starttls', caseId: 'smtp.injection.reply-lines', script: [
    { on: { command: 'STARTTLS' }, do: ['normal', { send: '250-mail.conform.test\\r\\n250 AUTH PLAIN\\r\\n' }] },
  ] },
  { fault: 'smtp refuse-greeting 421', caseId: 'smtp.robustness.greeting-421', script: [
    { on: 'greeting', do: [{ reply: '421 4.3.2 mail.conform.test Service not available' }, 'close'] },
  ] },
  { fault: 'smtp refuse-greeting 554', caseId: 'smtp.robustness.greeting-554', script: [
    { on: 'greeting', do: [{ reply: '554 5.3.2 mail.conform.test No SMTP service here' }] },
    { on: { command: 'QUIT' }, do: ['normal'] },
    { on: { command: '*' }, do: [{ reply: '503 5.5.1 Error: no SMTP service here, send QUIT' }], times: 50 },
  ] },
  { fault: 'smtp reject-rcpt', caseId: 'smtp.data.recipient-refused-550', script: [
    { on: { command: 'RCPT', args: 'nobody' }, do: [{ reply: '550 5.1.1 Recipient address rejected' }], times: 10 },
  ] },
  { fault: 'smtp reject-auth', caseId: 'smtp.data.auth-refused', script: [
    { on: { command: 'AUTH' }, do: [{ reply: '535 5.7.8 Error: authentication failed' }], times: 5 },
  ] },
  { fault: 'smtp stall greeting', caseId: 'smtp.robustness.stall-greeting', script: [{ on: 'greeting', do: ['stall'] }] },
  { fault: 'smtp stall ehlo', caseId: 'smtp.robustness.stall-ehlo', script: stall('EHLO') },
  { fault: 'smtp stall starttls', caseId: 'smtp.robustness.stall-starttls', script: stall('STARTTLS') },
  { fault: 'smtp stall auth', caseId: 'smtp.robustness.stall-auth', script: stall('AUTH') },
  { fault: 'smtp stall mail', caseId: 'smtp.robustness.stall-mail', script: stall('MAIL') },
  { fault: 'smtp stall rcpt', caseId: 'smtp.robustness.stall-rcpt', script: stall('RCPT') },
  { fault: 'smtp stall data', caseId: 'smtp.robustness.stall-data', script: stall('DATA') },
  { fault: 'smtp stall ehlo (tls)', caseId: 'smtp.robustness.stall-ehlo-inside-tls', script: stall('EHLO', { layer: 'tls' }) },
  { fault: 'smtp stall greeting (implicit)', caseId: 'smtp.robustness.stall-implicit-greeting', script: [{ on: 'greeting', do: ['stall'] }] },
  { fault: 'smtp close-mid-reply ehlo', caseId: 'smtp.robustness.ehlo-cut-short', script: [
    { on: { command: 'EHLO' }, do: [{ reply: ['250-mail.conform.test', '250-PIPELINING', '250-SIZE 10240000'] }, 'close'] },
  ] },
  // POP3
  { fault: 'pop3 stls-not-advertised accepted', caseId: 'pop3.downgrade.stls-hidden-but-accepted', script: [
    { on: { command: 'CAPA', layer: 'plaintext' }, do: [{ reply: POP3_CAPA_NO_STLS }], times: 5 },
  ] },
  { fault: 'pop3 stls-refused', caseId: 'pop3.downgrade.stls-refused', script: [
    { on: { command: 'STLS' }, do: [{ reply: '-ERR [SYS/TEMP] TLS is not available right now' }] },
  ] },
  { fault: 'pop3 stls-refused inject', caseId: 'pop3.refusal-injection.tls-optional', script: [
    { on: { command: 'STLS' }, do: [{ reply: '-ERR currently unavailable' }, { send: '+OK user accepted\\r\\n+OK authenticated\\r\\n' }] },
  ] },
  { fault: 'pop3 capa-error', caseId: 'pop3.downgrade.capa-error', script: [
    { on: { command: 'CAPA', layer: 'plaintext' }, do: [{ reply: '-ERR Unknown command.' }], times: 5 },
  ] },
  { fault: 'pop3 inject-after-stls', caseId: 'pop3.injection.capa-lines', script: [
    { on: { command: 'STLS' }, do: ['normal', { send: '+OK Capability list follows\\r\\nUSER\\r\\n.\\r\\n' }] },
  ] },
  { fault: 'pop3 stls-readvertised', caseId: 'pop3.stls.not-restarted', script: [
    { on: { command: 'CAPA', layer: 'tls' }, do: [{ reply: [...POP3_CAPA_NO_STLS.slice(0, -1), 'STLS', '.'] }], times: 5 },
  ] },
  { fault: 'pop3 greeting-error', caseId: 'pop3.downgrade.greeting-error', script: [
    { on: 'greeting', do: [{ reply: '-ERR [SYS/TEMP] Service temporarily unavailable' }, 'close'] },
  ] },
  { fault: 'pop3 auth-error', caseId: 'pop3.retrieve.auth-error', script: [
    { on: { command: 'PASS' }, do: [{ reply: '-ERR [AUTH] Authentication failed.' }], times: 5 },
  ] },
  { fault: 'pop3 close-mid-capa', caseId: 'pop3.downgrade.close-mid-capa', script: [
    { on: { command: 'CAPA', layer: 'plaintext' }, do: [{ reply: ['+OK Capability list follows', 'TOP', 'UIDL'] }, 'close'] },
  ] },
  { fault: 'pop3 close-mid-capa (tls)', caseId: 'pop3.robustness.close-mid-capa-inside-tls', script: [
    { on: { command: 'CAPA', layer: 'tls' }, do: [{ reply: ['+OK Capability list follows', 'TOP', 'UIDL'] }, 'close'] },
  ] },
  { fault: 'pop3 stall greeting', caseId: 'pop3.robustness.stall-greeting', script: [{ on: 'greeting', do: ['stall'] }] },
  { fault: 'pop3 stall capa', caseId: 'pop3.robustness.stall-capa', script: stall('CAPA') },
  { fault: 'pop3 stall stls', caseId: 'pop3.robustness.stall-stls', script: stall('STLS') },
  { fault: 'pop3 stall after-tls', caseId: 'pop3.robustness.stall-after-tls', script: stall('*', { layer: 'tls' }) },
  { fault: 'pop3 stall handshake', caseId: 'pop3.robustness.stall-handshake', script: [{ on: { command: 'STLS' }, do: [{ reply: '+OK Begin TLS negotiation now.' }, 'stall'] }] },
  { fault: 'pop3 stall login', caseId: 'pop3.robustness.stall-login', script: stall('USER') },
  { fault: 'pop3 stall credentials', caseId: 'pop3.robustness.stall-credentials', script: stall('PASS') },
  { fault: 'pop3 stall retr', caseId: 'pop3.robustness.stall-retr', script: stall('RETR') },
  // FTPS
  { fault: 'ftps auth-refused 534', caseId: 'ftps.negotiation.auth-refused-534', script: [
    { on: { command: 'AUTH' }, do: [{ reply: '534 AUTH TLS not available.' }], times: 5 },
  ] },
  { fault: 'ftps auth-refused 504', caseId: 'ftps.negotiation.auth-refused-504', script: [
    { on: { command: 'AUTH' }, do: [{ reply: '504 AUTH TLS not available.' }], times: 5 },
  ] },
  { fault: 'ftps inject-after-auth', caseId: 'ftps.injection.after-234', script: [
    { on: { command: 'AUTH' }, do: ['normal', { send: '230 User logged in, proceed.\\r\\n' }] },
  ] },
  { fault: 'ftps prot-refused', caseId: 'ftps.negotiation.prot-refused-download', script: [
    { on: { command: 'PROT', args: '^[Pp]' }, do: [{ reply: '536 PROT P not supported.' }], times: 5 },
  ] },
  { fault: 'ftps type-i-refused', caseId: 'ftps.integrity.type-i-refused', script: [
    { on: { command: 'TYPE', args: '^[Ii]' }, do: [{ reply: '504 Binary mode not available.' }], times: 5 },
  ] },
  { fault: 'ftps stall greeting', caseId: 'ftps.robustness.stall-greeting', script: [{ on: 'greeting', do: ['stall'] }] },
  { fault: 'ftps stall auth', caseId: 'ftps.robustness.stall-auth', script: stall('AUTH') },
  { fault: 'ftps stall handshake', caseId: 'ftps.robustness.stall-handshake', script: [{ on: { command: 'AUTH' }, do: [{ reply: '234 Proceed with negotiation.' }, 'stall'] }] },
  { fault: 'ftps stall transfer', caseId: 'ftps.robustness.stall-transfer', script: [{ on: { command: 'RETR' }, do: [{ reply: '150 Opening BINARY mode data connection.' }, 'stall'] }] },
  { fault: 'ftps stall login', caseId: 'ftps.robustness.stall-login', script: stall('USER') },
  { fault: 'ftps stall pasv', caseId: 'ftps.robustness.stall-pasv', script: stall('EPSV') },
];

provePairs(PAIRS, (script) => ScriptSchema.parse(script));
