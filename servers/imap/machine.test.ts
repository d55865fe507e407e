/** The IMAP machine fed lines, with no socket: capability lists, STARTTLS, literals, logins, FETCH, faults, limits. */
import { describe, expect, it } from 'vitest';
import type { MachineOutput } from '../shared/line-session.js';
import { createImapMachine, MAX_BAD_COMMANDS, type ImapMachine } from './machine.js';
import { makeMessages } from './mailbox.js';
import { ImapOptionsSchema } from './options.js';

function machine(options: unknown = {}): { m: ImapMachine; messages: Buffer[] } {
  const parsed = ImapOptionsSchema.parse(options);
  const messages = makeMessages(parsed.mailbox);
  return { m: createImapMachine(parsed, messages), messages };
}

const text = (out: MachineOutput): string =>
  out.write === undefined ? '' : Buffer.from(out.write as string | Buffer).toString('latin1');
const types = (out: MachineOutput): string[] => (out.record ?? []).map((e) => e.type);
const faults = (out: MachineOutput): string[] =>
  (out.record ?? []).flatMap((e) => (e.type === 'fault' ? [e.fields.name] : []));
const b64 = (s: string): string => Buffer.from(s).toString('base64');
const LOGIN = 'a3 LOGIN conform conform-imap-secret';

/** Greeting, STARTTLS, the upgrade: a machine inside TLS, not yet authenticated. */
function insideTls(options: unknown = {}): ImapMachine {
  const { m } = machine(options);
  m.start();
  expect(m.line('a1 STARTTLS').upgrade).toBeDefined();
  m.upgraded();
  return m;
}

describe('IMAP machine: greeting and capability lists', () => {
  it('greets with its capabilities, STARTTLS and AUTH=PLAIN among them, and lists the same for CAPABILITY', () => {
    const { m } = machine();
    expect(text(m.start())).toBe(
      '* OK [CAPABILITY IMAP4rev1 SASL-IR ID ENABLE LITERAL+ UNSELECT STARTTLS AUTH=PLAIN] Conform IMAP server ready.\r\n',
    );
    expect(text(m.line('a1 CAPABILITY'))).toBe(
      '* CAPABILITY IMAP4rev1 SASL-IR ID ENABLE LITERAL+ UNSELECT STARTTLS AUTH=PLAIN\r\na1 OK Pre-login capabilities listed, post-login capabilities have more.\r\n',
    );
  });

  it('drops STARTTLS inside TLS (RFC 9051 §6.2.1) and answers a second STARTTLS BAD', () => {
    const m = insideTls();
    expect(text(m.line('a2 capability'))).toMatch(
      /^\* CAPABILITY IMAP4rev1 SASL-IR ID ENABLE LITERAL\+ UNSELECT AUTH=PLAIN\r\n/,
    );
    expect(text(m.line('a3 STARTTLS'))).toBe('a3 BAD TLS is already active.\r\n');
  });

  it('advertises and accepts each layer’s own list: a capability left out is refused too', () => {
    const { m } = machine({ capabilities: { before: ['IMAP4rev2', 'ID'], after: ['IMAP4rev1'] } });
    expect(text(m.start())).toContain('[CAPABILITY IMAP4rev2 ID STARTTLS]');
    expect(text(m.line('a1 ID NIL'))).toBe('* ID NIL\r\na1 OK ID completed.\r\n');
    expect(text(m.line('a2 AUTHENTICATE PLAIN'))).toBe('a2 NO Unsupported authentication mechanism.\r\n');
    m.line('a3 STARTTLS');
    m.upgraded();
    expect(text(m.line('a4 ID NIL'))).toBe('a4 BAD Unknown command.\r\n');
  });

  it('with starttls-required: LOGINDISABLED and no AUTH=PLAIN before TLS, both logins refused there, and the password still recorded', () => {
    const { m } = machine({ tls: 'starttls-required' });
    expect(text(m.start())).toContain('STARTTLS LOGINDISABLED]');
    const login = m.line(LOGIN);
    expect(text(login)).toBe(
      'a3 NO [PRIVACYREQUIRED] Plaintext authentication disallowed on non-secure (SSL/TLS) connections.\r\n',
    );
    expect(login.record).toContainEqual({
      type: 'credentials',
      fields: { layer: 'plaintext', mechanism: 'LOGIN', user: 'conform' },
    });
    expect(text(m.line(`a4 AUTHENTICATE PLAIN ${b64('\0conform\0conform-imap-secret')}`))).toMatch(
      /^a4 NO \[PRIVACYREQUIRED\]/,
    );
    m.line('a5 STARTTLS');
    m.upgraded();
    expect(text(m.line('a6 CAPABILITY'))).toContain('AUTH=PLAIN\r\n');
    expect(text(m.line(LOGIN))).toMatch(/^a3 OK \[CAPABILITY IMAP4rev1 ID ENABLE LITERAL\+ UNSELECT\] Logged in\r\n$/);
  });

  it('offers no STARTTLS with tls none or implicit, and answers it BAD there (RFC 9051 §6.2.1)', () => {
    for (const tls of ['none', 'implicit']) {
      const { m } = machine({ tls });
      expect(text(m.start())).not.toContain('STARTTLS');
      expect(text(m.line('a1 STARTTLS'))).toMatch(/^a1 BAD/);
    }
  });
});

describe('IMAP machine: login, SELECT, FETCH, LOGOUT', () => {
  it('retrieves message 1 as a literal of its exact octets, and records the payload once', () => {
    const { m, messages } = machine();
    m.start();
    expect(text(m.line(LOGIN))).toMatch(/^a3 OK /);
    const select = text(m.line('a4 SELECT INBOX'));
    expect(select).toContain('* 2 EXISTS\r\n');
    expect(select).toMatch(/a4 OK \[READ-WRITE\] Select completed\.\r\n$/);
    const fetch = m.line('a5 FETCH 1 BODY[]');
    const message = messages[0]!;
    expect(
      Buffer.from(fetch.write as Buffer).equals(
        Buffer.concat([
          Buffer.from(`* 1 FETCH (BODY[] {${message.length}}\r\n`),
          message,
          Buffer.from(' FLAGS (\\Seen))\r\na5 OK Fetch completed.\r\n'),
        ]),
      ),
    ).toBe(true);
    expect(fetch.record?.find((e) => e.type === 'payload-sent')).toMatchObject({
      fields: { layer: 'plaintext', bytes: message.length, complete: true },
    });
    expect(text(m.line('a6 LOGOUT'))).toBe('* BYE Logging out\r\na6 OK Logout completed.\r\n');
    expect(m.line('a7 NOOP')).toEqual({});
  });

  it('answers UID FETCH with the UID, RFC822 and BODY.PEEK sections, partial fetches, and refuses an invalid set', () => {
    const { m, messages } = machine();
    m.start();
    m.line(LOGIN);
    m.line('a4 EXAMINE inbox');
    const uid = text(m.line('a5 UID FETCH 1 (BODY.PEEK[HEADER.FIELDS (SUBJECT)] RFC822.SIZE)'));
    expect(uid).toBe(
      `* 1 FETCH (UID 1 BODY[HEADER.FIELDS (SUBJECT)] {46}\r\nSubject: Conform IMAP message 1: a literal\r\n\r\n RFC822.SIZE ${messages[0]!.length})\r\na5 OK Fetch completed.\r\n`,
    );
    expect(text(m.line('a6 FETCH 2 BODY[]<0.10>'))).toContain('BODY[]<0> {10}\r\nReturn-Pat)');
    expect(text(m.line('a7 FETCH 1:* (FLAGS ENVELOPE)'))).toContain(
      'ENVELOPE ("Mon, 6 May 2024 09:30:01 +0000" "Conform IMAP message 1: a literal" (("Conform Sender" NIL "sender" "conform.test"))',
    );
    expect(text(m.line('a8 FETCH 3 BODY[]'))).toMatch(/^a8 BAD /);
    expect(text(m.line('a9 UID FETCH 3 BODY[]'))).toBe('a9 OK Fetch completed.\r\n');
    expect(text(m.line('a10 FETCH 1 (X-UNKNOWN)'))).toMatch(/^a10 BAD .*Unknown data item/);
  });

  it('speaks RFC 9051 once the client enables IMAP4rev2: LIST instead of RECENT at SELECT', () => {
    const { m } = machine({ capabilities: { before: ['IMAP4rev1', 'IMAP4rev2', 'ENABLE'] } });
    m.start();
    m.line(LOGIN);
    expect(text(m.line('a5 ENABLE IMAP4rev2 CONDSTORE'))).toBe('* ENABLED IMAP4rev2\r\na5 OK Enabled.\r\n');
    const select = text(m.line('a6 SELECT INBOX'));
    expect(select).toContain('* LIST () "/" INBOX\r\n');
    expect(select).not.toContain('RECENT');
    const rev1 = machine().m;
    rev1.start();
    rev1.line(LOGIN);
    expect(text(rev1.line('a4 SELECT INBOX'))).toContain('* 0 RECENT\r\n');
  });

  it('refuses commands outside their state, and a mailbox other than INBOX', () => {
    const { m } = machine();
    m.start();
    expect(text(m.line('a1 FETCH 1 BODY[]'))).toMatch(/^a1 BAD .*not valid in this state/);
    m.line(LOGIN);
    expect(text(m.line('a2 SELECT Archive'))).toBe("a2 NO [NONEXISTENT] Mailbox doesn't exist: Archive\r\n");
    expect(text(m.line('a3 LIST "" "*"'))).toBe('* LIST (\\HasNoChildren) "/" INBOX\r\na3 OK List completed.\r\n');
    expect(text(m.line(LOGIN))).toMatch(/^a3 BAD .*not valid in this state/);
  });

  it('takes AUTHENTICATE PLAIN with an initial response (SASL-IR) or after "+ ", and records the credentials', () => {
    const ir = machine().m;
    ir.start();
    const out = ir.line(`a1 AUTHENTICATE PLAIN ${b64('\0conform\0conform-imap-secret')}`);
    expect(text(out)).toMatch(/^a1 OK /);
    expect(out.record).toContainEqual({
      type: 'credentials',
      fields: { layer: 'plaintext', mechanism: 'PLAIN', user: 'conform' },
    });
    expect(out.record?.[0]).toMatchObject({ fields: { verb: 'AUTHENTICATE', args: 'PLAIN <redacted>', tag: 'a1' } });
    const step = machine().m;
    step.start();
    expect(text(step.line('a1 AUTHENTICATE PLAIN'))).toBe('+ \r\n');
    expect(step.expectsCommand!()).toBe(false);
    expect(text(step.line(b64('\0conform\0wrong')))).toBe('a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n');
    expect(text(step.line('a2 AUTHENTICATE PLAIN'))).toBe('+ \r\n');
    expect(text(step.line('*'))).toBe('a2 BAD Authentication aborted by client.\r\n');
    expect(text(step.line('a3 AUTHENTICATE PLAIN =AAA'))).toBe('a3 BAD Invalid base64 data in response.\r\n');
  });

  it('never records a password: LOGIN shows the user only', () => {
    const { m } = machine();
    m.start();
    const out = m.line('a1 LOGIN "conform" "conform-imap-secret"');
    expect(JSON.stringify(out.record)).not.toContain('conform-imap-secret');
    expect(out.record?.[0]).toMatchObject({
      fields: { verb: 'LOGIN', args: '"conform" <redacted>', raw: 'a1 LOGIN "conform" <redacted>' },
    });
  });
});

describe('IMAP machine: literals', () => {
  it('asks for a synchronizing literal with "+", reads octets across lines, and puts CRLFs inside back', () => {
    const { m } = machine({ credentials: { pass: 'two' } });
    m.start();
    expect(text(m.line('a1 LOGIN {7}'))).toBe('+ Ready for literal data\r\n');
    expect(m.expectsCommand!()).toBe(false);
    expect(m.line('conform {3+}')).toEqual({});
    const out = m.line('two');
    expect(text(out)).toMatch(/^a1 OK /);
    const split = machine({ credentials: { user: 'a' } }).m;
    split.start();
    split.line('a1 LOGIN {8}');
    expect(split.line('x')).toEqual({});
    split.line('y');
    // The user is "x\r\ny\r\nab" (8 octets, two CRLFs the line reader took put back), not "a": refused.
    expect(text(split.line('ab conform-imap-secret'))).toBe('a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n');
  });

  it('refuses a literal over the limit: NO to a synchronizing one, BYE to a non-synchronizing one', () => {
    const sync = machine().m;
    sync.start();
    expect(text(sync.line('a1 LOGIN {999999}'))).toBe('a1 NO [TOOBIG] Literal too large.\r\n');
    expect(text(sync.line('a2 NOOP'))).toBe('a2 OK NOOP completed.\r\n');
    const plus = machine().m;
    plus.start();
    const out = plus.line('a1 LOGIN {999999+}');
    expect(text(out)).toBe('* BYE [TOOBIG] Literal too large.\r\n');
    expect(out.close).toBe(true);
  });
});

describe('IMAP machine: malformed input and limits', () => {
  it('answers a line without a tag or verb untagged BAD, an unknown command tagged BAD, and hangs up after too many', () => {
    const { m } = machine();
    m.start();
    expect(text(m.line(''))).toBe('* BAD Empty command line.\r\n');
    expect(text(m.line('CAPABILITY'))).toBe('* BAD Error in IMAP command received by server.\r\n');
    expect(text(m.line('a1 XYZZY'))).toBe('a1 BAD Unknown command.\r\n');
    let last: MachineOutput = {};
    for (let i = 3; i < MAX_BAD_COMMANDS - 1; i++) last = m.line('\xff\xfe');
    expect(text(last)).toBe('* BAD Error in IMAP command received by server.\r\n');
    last = m.line('a2 XYZZY');
    expect(text(last)).toBe('* BYE Too many invalid IMAP commands.\r\n');
    expect(last.close).toBe(true);
  });

  it('tells a script the verb and tag of a tagged line', () => {
    const { m } = machine();
    expect(m.commandOf('A001 uid FETCH 1 BODY[]')).toEqual({ verb: 'UID', args: 'FETCH 1 BODY[]', tag: 'A001' });
    expect(m.commandOf('LOGIN')).toBeUndefined();
  });
});

describe('IMAP machine: STARTTLS faults', () => {
  it('starttls-stripped: no STARTTLS anywhere, BAD when sent, and the lure (AUTH=PLAIN, no LOGINDISABLED, any login) even with starttls-required', () => {
    const { m } = machine({ tls: 'starttls-required', faults: [{ kind: 'starttls-stripped' }] });
    const greeting = m.start();
    expect(text(greeting)).toBe(
      '* OK [CAPABILITY IMAP4rev1 SASL-IR ID ENABLE LITERAL+ UNSELECT AUTH=PLAIN] Conform IMAP server ready.\r\n',
    );
    expect(faults(greeting)).toEqual(['starttls-stripped']);
    expect(faults(m.line('a1 CAPABILITY'))).toEqual(['starttls-stripped']);
    expect(text(m.line('a2 STARTTLS'))).toBe('a2 BAD Unknown command.\r\n');
    expect(text(m.line(LOGIN))).toMatch(/^a3 OK /);
  });

  it('starttls-refused: advertised, answered NO or BAD, with injected lines behind the refusal in the same write', () => {
    const inject = 'a3 OK LOGIN completed\r\n';
    const { m } = machine({ faults: [{ kind: 'starttls-refused', status: 'BAD', text: 'not now', inject }] });
    expect(text(m.start())).toContain('STARTTLS');
    const out = m.line('a2 STARTTLS');
    expect(text(out)).toBe(`a2 BAD not now\r\n${inject}`);
    expect(out.upgrade).toBeUndefined();
    expect(types(out)).toEqual(['command', 'fault', 'reply']);
  });

  it('starttls-hidden: in the greeting only (or nowhere), working when sent, recorded where it acts', () => {
    const { m } = machine({ faults: [{ kind: 'starttls-hidden' }] });
    const greeting = m.start();
    expect(text(greeting)).toContain('STARTTLS');
    expect(faults(greeting)).toEqual(['starttls-hidden']);
    const caps = m.line('a1 CAPABILITY');
    expect(text(caps)).not.toContain('STARTTLS');
    expect(faults(caps)).toEqual(['starttls-hidden']);
    expect(m.line('a2 STARTTLS').upgrade).toEqual({});
    const nowhere = machine({ faults: [{ kind: 'starttls-hidden', where: 'nowhere' }] }).m;
    expect(text(nowhere.start())).not.toContain('STARTTLS');
  });

  it('inject-after-starttls: the bytes go with the OK, and the machine says nothing inside TLS until asked', () => {
    const { m } = machine({ faults: [{ kind: 'inject-after-starttls' }] });
    m.start();
    const out = m.line('a1 STARTTLS');
    expect(text(out)).toBe('a1 OK Begin TLS negotiation now.\r\n');
    expect(out.upgrade).toEqual({ inject: '* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n' });
    expect(faults(out)).toEqual(['inject-after-starttls']);
    expect(m.upgraded()).toEqual({});
  });

  it('capability-in-starttls-ok: an untagged CAPABILITY before the OK, or a code in it', () => {
    const untagged = machine({ faults: [{ kind: 'capability-in-starttls-ok' }] }).m;
    untagged.start();
    expect(text(untagged.line('a1 STARTTLS'))).toBe(
      '* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\na1 OK Begin TLS negotiation now.\r\n',
    );
    const code = machine({
      faults: [{ kind: 'capability-in-starttls-ok', form: 'code', capabilities: 'IMAP4rev1 LOGINDISABLED' }],
    }).m;
    code.start();
    const out = code.line('a1 STARTTLS');
    expect(text(out)).toBe('a1 OK [CAPABILITY IMAP4rev1 LOGINDISABLED] Begin TLS negotiation now.\r\n');
    expect(out.upgrade).toEqual({});
  });

  it('starttls-readvertised: STARTTLS listed again inside TLS, and refused if sent', () => {
    const m = insideTls({ faults: [{ kind: 'starttls-readvertised' }] });
    const caps = m.line('a2 CAPABILITY');
    expect(text(caps)).toContain('STARTTLS');
    expect(faults(caps)).toEqual(['starttls-readvertised']);
    expect(text(m.line('a3 STARTTLS'))).toBe('a3 BAD TLS is already active.\r\n');
  });

  it('no-tls-after-go-ahead: a tagged command behind the ClientHello bytes is recorded as plaintext after the hello', () => {
    const { m } = machine({ faults: [{ kind: 'no-tls-after-go-ahead' }] });
    m.start();
    expect(m.line('a1 STARTTLS').upgrade).toBeUndefined();
    // A 10-octet record whose body holds a LF and ends in printable octets ("3A"): its header's length says where the command starts.
    expect(m.line('\x16\x03\x01\x00\x0a\x01\x00\x00\x06\x03\x03')).toEqual({});
    const out = m.line('\xfc3Aa2 LOGIN conform conform-imap-secret');
    expect(types(out)).toEqual(['plaintext-after-hello', 'command', 'credentials', 'reply']);
    expect(out.record![0]).toMatchObject({ fields: { preview: 'a2 LOGIN conform (redacted)' } });
  });
});

describe('IMAP machine: greeting and login faults', () => {
  it('preauth: a PREAUTH greeting without STARTTLS; the session is authenticated and STARTTLS refused', () => {
    const { m } = machine({ faults: [{ kind: 'preauth' }] });
    const greeting = m.start();
    expect(text(greeting)).toBe(
      '* PREAUTH [CAPABILITY IMAP4rev1 ID ENABLE LITERAL+ UNSELECT] Logged in as conform.\r\n',
    );
    expect(faults(greeting)).toEqual(['preauth']);
    expect(text(m.line('a1 STARTTLS'))).toMatch(/^a1 BAD /);
    expect(text(m.line('a2 SELECT INBOX'))).toMatch(/a2 OK \[READ-WRITE\]/);
  });

  it('greeting-bye: a BYE greeting that closes; untagged-before-tls: lines behind the greeting', () => {
    const bye = machine({ faults: [{ kind: 'greeting-bye' }] }).m.start();
    expect(text(bye)).toBe('* BYE [UNAVAILABLE] Server is busy, try again later.\r\n');
    expect(bye.close).toBe(true);
    const early = machine({ faults: [{ kind: 'untagged-before-tls' }] }).m.start();
    expect(text(early)).toMatch(
      /ready\.\r\n\* CAPABILITY IMAP4rev1 AUTH=PLAIN\r\n\* OK \[ALERT\] Your mailbox is almost full\.\r\n$/,
    );
    expect(faults(early)).toEqual(['untagged-before-tls']);
  });

  it('logindisabled-ignored: LOGINDISABLED in the list (recorded there) and LOGIN taken anyway', () => {
    const { m } = machine({
      tls: 'none',
      capabilities: { before: ['IMAP4rev1', 'LOGINDISABLED'] },
      faults: [{ kind: 'logindisabled-ignored' }],
    });
    expect(faults(m.start())).toEqual(['logindisabled-ignored']);
    expect(text(m.line(LOGIN))).toMatch(/^a3 OK /);
    const strict = machine({ tls: 'none', capabilities: { before: ['IMAP4rev1', 'LOGINDISABLED'] } }).m;
    strict.start();
    expect(text(strict.line(LOGIN))).toMatch(/^a3 NO \[PRIVACYREQUIRED\]/);
  });

  it('login-refused: NO [AUTHENTICATIONFAILED] to good credentials', () => {
    const { m } = machine({ faults: [{ kind: 'login-refused' }] });
    m.start();
    const out = m.line(LOGIN);
    expect(text(out)).toBe('a3 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n');
    expect(faults(out)).toEqual(['login-refused']);
  });

  it('foreign-tag: a tagged OK for a tag never sent, ahead of the real answer', () => {
    const { m } = machine({ faults: [{ kind: 'foreign-tag', at: 'login' }] });
    m.start();
    const out = m.line('a3 LOGIN conform wrong');
    expect(text(out)).toBe('Z999 OK LOGIN completed.\r\na3 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n');
    expect(types(out)).toEqual(['command', 'credentials', 'fault', 'reply', 'reply']);
  });
});

describe('IMAP machine: stalls and truncation', () => {
  it('goes silent at each step it is told to, recording the stall there', () => {
    const at = (step: string, lines: string[]): MachineOutput => {
      const { m } = machine({ faults: [{ kind: 'stall', at: step }] });
      let out = m.start();
      for (const line of lines) {
        out = m.line(line);
        if (line === 'a1 STARTTLS' && out.upgrade) out = m.upgraded();
      }
      return out;
    };
    expect(at('greeting', [])).toMatchObject({ stall: true });
    expect(at('capability', ['a0 CAPABILITY'])).toMatchObject({ stall: true });
    expect(at('starttls', ['a1 STARTTLS'])).toMatchObject({ stall: true });
    const handshake = at('handshake', ['a1 STARTTLS']);
    expect(handshake).toMatchObject({ stall: true, write: expect.anything() });
    expect(at('after-tls', ['a1 STARTTLS', 'a2 CAPABILITY'])).toMatchObject({ stall: true });
    expect(at('login', [LOGIN])).toMatchObject({ stall: true });
    expect(at('select', [LOGIN, 'a4 SELECT INBOX'])).toMatchObject({ stall: true });
    expect(at('fetch', [LOGIN, 'a4 SELECT INBOX', 'a5 FETCH 1 BODY[]'])).toMatchObject({ stall: true });
    const half = at('fetch-body', [LOGIN, 'a4 SELECT INBOX', 'a5 FETCH 1 BODY[]']);
    expect(half).toMatchObject({ stall: true });
    expect(half.record?.find((e) => e.type === 'payload-sent')).toMatchObject({ fields: { complete: false } });
  });

  it('truncate-literal: announces the whole literal, sends part of it, and closes', () => {
    const { m, messages } = machine({ faults: [{ kind: 'truncate-literal', at: 0.25 }] });
    m.start();
    m.line(LOGIN);
    m.line('a4 SELECT INBOX');
    const out = m.line('a5 UID FETCH 1 (UID BODY.PEEK[])');
    const size = messages[0]!.length;
    expect(text(out)).toBe(
      `* 1 FETCH (UID 1 BODY[] {${size}}\r\n${messages[0]!.subarray(0, Math.floor(size / 4)).toString('latin1')}`,
    );
    expect(out.close).toBe(true);
    expect(faults(out)).toEqual(['truncate-literal']);
  });
});
