/** The POP3 machine fed lines, with no socket: registry-built CAPA, STLS, login, stuffing, faults, limits. */
import { describe, expect, it } from 'vitest';
import type { LineMachine, MachineOutput } from '../shared/line-session.js';
import { createPop3Machine, MAX_BAD_COMMANDS } from './machine.js';
import { makeMessages, stuff } from './mailbox.js';
import { Pop3OptionsSchema } from './options.js';

function machine(options: unknown = {}): { m: LineMachine; messages: Buffer[] } {
  const parsed = Pop3OptionsSchema.parse(options);
  const messages = makeMessages(parsed.mailbox);
  return { m: createPop3Machine(parsed, messages), messages };
}

const text = (out: MachineOutput): string => (out.write === undefined ? '' : Buffer.from(out.write).toString('latin1'));
const types = (out: MachineOutput): string[] => (out.record ?? []).map((e) => e.type);
const b64 = (s: string): string => Buffer.from(s).toString('base64');

function login(m: LineMachine): void {
  m.line('USER conform');
  expect(text(m.line('PASS conform-pop3-secret'))).toBe('+OK Logged in.\r\n');
}

describe('POP3 machine: CAPA from the registry', () => {
  it('lists Dovecot’s capabilities with STLS before TLS, and drops STLS inside TLS', () => {
    const { m } = machine();
    expect(text(m.start())).toMatch(/^\+OK /);
    expect(text(m.line('CAPA'))).toBe(
      '+OK Capability list follows\r\nTOP\r\nUIDL\r\nRESP-CODES\r\nPIPELINING\r\nAUTH-RESP-CODE\r\nSTLS\r\nUSER\r\nSASL PLAIN\r\n.\r\n',
    );
    expect(m.line('STLS').upgrade).toEqual({});
    m.upgraded();
    expect(text(m.line('CAPA'))).not.toContain('STLS');
  });

  it('advertises and accepts each layer’s own list: a capability left out is also refused', () => {
    const { m } = machine({ capabilities: { before: ['USER'], after: ['SASL'] } });
    m.start();
    expect(text(m.line('CAPA'))).toBe('+OK Capability list follows\r\nSTLS\r\nUSER\r\n.\r\n');
    expect(text(m.line('AUTH PLAIN'))).toBe('-ERR Unknown command.\r\n');
    m.line('STLS');
    m.upgraded();
    expect(text(m.line('CAPA'))).toBe('+OK Capability list follows\r\nSASL PLAIN\r\n.\r\n');
    expect(text(m.line('USER conform'))).toBe('-ERR Unknown command.\r\n');
  });

  it('hides the login capabilities before TLS with stls-required, and refuses USER there', () => {
    const { m } = machine({ tls: 'stls-required' });
    m.start();
    expect(text(m.line('CAPA'))).not.toMatch(/USER|SASL/);
    expect(text(m.line('USER conform'))).toMatch(/^-ERR \[AUTH\] Plaintext authentication disallowed/);
  });

  it('offers no STLS with tls none or implicit', () => {
    for (const tls of ['none', 'implicit']) {
      const { m } = machine({ tls });
      m.start();
      expect(text(m.line('CAPA'))).not.toContain('STLS');
      expect(text(m.line('STLS'))).toMatch(/^-ERR/);
    }
  });
});

describe('POP3 machine: STLS', () => {
  it('resets the login state at the upgrade and answers nothing until the client speaks', () => {
    const { m } = machine();
    m.start();
    m.line('USER conform');
    m.line('STLS');
    expect(m.upgraded()).toEqual({});
    expect(text(m.line('PASS conform-pop3-secret'))).toBe('-ERR No username given.\r\n');
    expect(text(m.line('STLS'))).toMatch(/^-ERR \[IN-USE\]/);
  });

  it('injects bytes with the go-ahead and records the fault', () => {
    const { m } = machine({ faults: [{ kind: 'inject-after-stls', bytes: '+OK\r\nUSER ' }] });
    m.start();
    const out = m.line('STLS');
    expect(out.upgrade).toEqual({ inject: '+OK\r\nUSER ' });
    expect(types(out)).toEqual(['command', 'fault', 'reply']);
  });

  it('can hide STLS while accepting it, refuse it when advertised, and re-advertise it inside TLS', () => {
    const hidden = machine({ faults: [{ kind: 'stls-not-advertised', accepted: true }] }).m;
    hidden.start();
    expect(text(hidden.line('CAPA'))).not.toContain('STLS');
    expect(hidden.line('STLS').upgrade).toBeDefined();
    const refused = machine({ faults: [{ kind: 'stls-refused' }] }).m;
    refused.start();
    expect(text(refused.line('CAPA'))).toContain('STLS');
    expect(text(refused.line('STLS'))).toMatch(/^-ERR/);
    const again = machine({ faults: [{ kind: 'stls-readvertised' }] }).m;
    again.start();
    again.line('STLS');
    again.upgraded();
    expect(text(again.line('CAPA'))).toContain('STLS');
  });

  it('pipelines the injected lines behind the -ERR to STLS in one write, and records the fault', () => {
    const inject = '+OK user accepted\r\n+OK authenticated\r\n';
    const { m } = machine({ faults: [{ kind: 'stls-refused', text: 'currently unavailable', inject }] });
    m.start();
    const out = m.line('STLS');
    expect(text(out)).toBe(`-ERR currently unavailable\r\n${inject}`);
    expect(out.upgrade).toBeUndefined();
    expect(types(out)).toEqual(['command', 'fault', 'reply']);
    expect(out.record![1]).toMatchObject({ fields: { explain: expect.stringContaining(JSON.stringify(inject)) } });
    // The server itself answers the client's own commands, one reply each.
    expect(text(m.line('USER conform'))).toBe('+OK\r\n');
  });

  it('after a false go-ahead, records a plain command that follows the ClientHello bytes', () => {
    const { m } = machine({ faults: [{ kind: 'no-tls-after-go-ahead' }] });
    m.start();
    expect(m.line('STLS').upgrade).toBeUndefined();
    expect(m.line('\x16\x03\x01\x02\x00\x01\x00\x01\xfc')).toEqual({});
    const out = m.line('\x00\x17\x00USER conform');
    expect(types(out)).toEqual(['plaintext-after-hello', 'command', 'reply']);
    expect(out.record![1]).toMatchObject({ fields: { layer: 'plaintext', verb: 'USER' } });
  });
});

describe('POP3 machine: the lure of the plaintext-keeping faults', () => {
  it('offers USER and SASL PLAIN in plaintext and takes the login, even where the server hides them (stls-required)', () => {
    for (const fault of [
      { kind: 'stls-not-advertised' },
      { kind: 'stls-not-advertised', accepted: true },
      { kind: 'stls-refused' },
    ]) {
      const { m } = machine({ tls: 'stls-required', capabilities: { before: ['TOP'] }, faults: [fault] });
      m.start();
      expect(text(m.line('CAPA'))).toMatch(/\r\nTOP\r\n(STLS\r\n)?USER\r\nSASL PLAIN\r\n\.\r\n$/);
      expect(text(m.line('USER conform'))).toBe('+OK\r\n');
      const pass = m.line('PASS conform-pop3-secret');
      expect(text(pass)).toBe('+OK Logged in.\r\n');
      expect(pass.record).toContainEqual({
        type: 'credentials',
        fields: { layer: 'plaintext', mechanism: 'USER/PASS', user: 'conform' },
      });
    }
  });

  it('records stls-not-advertised at the CAPA that leaves STLS out, explaining the lure', () => {
    const { m } = machine({ tls: 'stls-required', faults: [{ kind: 'stls-not-advertised' }] });
    m.start();
    const capa = m.line('CAPA');
    expect(text(capa)).not.toContain('STLS');
    expect(types(capa)).toEqual(['command', 'reply', 'fault']);
    expect(capa.record![2]).toMatchObject({
      fields: { explain: expect.stringContaining('USER and SASL PLAIN in plaintext') },
    });
  });

  it('takes AUTH PLAIN in plaintext when CAPA is refused before TLS, but not when it is refused only inside TLS', () => {
    const before = machine({ tls: 'stls-required', faults: [{ kind: 'capa-error' }] }).m;
    before.start();
    expect(text(before.line('CAPA'))).toMatch(/^-ERR/);
    const auth = before.line(`AUTH PLAIN ${b64('\0conform\0conform-pop3-secret')}`);
    expect(text(auth)).toBe('+OK Logged in.\r\n');
    expect(auth.record).toContainEqual({
      type: 'credentials',
      fields: { layer: 'plaintext', mechanism: 'PLAIN', user: 'conform' },
    });
    const inside = machine({ tls: 'stls-required', faults: [{ kind: 'capa-error', stage: 'after-tls' }] }).m;
    inside.start();
    expect(text(inside.line('CAPA'))).not.toMatch(/USER|SASL/);
    expect(text(inside.line('USER conform'))).toMatch(/^-ERR \[AUTH\]/);
  });

  it('drops the lure inside TLS: CAPA there lists the case’s own capabilities', () => {
    const { m } = machine({
      capabilities: { before: [], after: ['SASL'] },
      faults: [{ kind: 'stls-not-advertised', accepted: true }],
    });
    m.start();
    expect(text(m.line('CAPA'))).toBe('+OK Capability list follows\r\nUSER\r\nSASL PLAIN\r\n.\r\n');
    expect(m.line('STLS').upgrade).toEqual({});
    m.upgraded();
    expect(text(m.line('CAPA'))).toBe('+OK Capability list follows\r\nSASL PLAIN\r\n.\r\n');
    expect(text(m.line('USER conform'))).toBe('-ERR Unknown command.\r\n');
  });
});

describe('POP3 machine: login', () => {
  it('records credentials without the secret, for PASS and AUTH PLAIN, even when refused', () => {
    const { m } = machine();
    m.start();
    m.line('USER conform');
    const pass = m.line('PASS wrong-password');
    expect(text(pass)).toMatch(/^-ERR \[AUTH\]/);
    expect(JSON.stringify(pass.record)).not.toContain('wrong-password');
    expect(pass.record![0]).toMatchObject({
      type: 'command',
      fields: { verb: 'PASS', args: '<redacted>', raw: 'PASS <redacted>' },
    });
    expect(pass.record![1]).toMatchObject({
      type: 'credentials',
      fields: { layer: 'plaintext', mechanism: 'USER/PASS', user: 'conform' },
    });
    const auth = m.line(`AUTH PLAIN ${b64('\0conform\0conform-pop3-secret')}`);
    expect(text(auth)).toBe('+OK Logged in.\r\n');
    expect(JSON.stringify(auth.record)).not.toContain(b64('\0conform\0conform-pop3-secret'));
  });

  it('takes AUTH PLAIN’s response on the line after "+ "', () => {
    const { m } = machine();
    m.start();
    expect(text(m.line('AUTH PLAIN'))).toBe('+ \r\n');
    expect(text(m.line(b64('\0conform\0conform-pop3-secret')))).toBe('+OK Logged in.\r\n');
  });

  it('refuses the right credentials under auth-error', () => {
    const { m } = machine({ faults: [{ kind: 'auth-error' }] });
    m.start();
    m.line('USER conform');
    expect(types(m.line('PASS conform-pop3-secret'))).toEqual(['command', 'credentials', 'fault', 'reply']);
  });
});

describe('POP3 machine: RETR', () => {
  it('byte-stuffs lines that begin with "." and ends with ".CRLF"', () => {
    expect(stuff(Buffer.from('a\r\n.\r\n..b\r\nc')).toString()).toBe('a\r\n..\r\n...b\r\nc\r\n.\r\n');
    const { m, messages } = machine();
    m.start();
    login(m);
    const out = m.line('RETR 1');
    expect(
      Buffer.from(out.write!).equals(
        Buffer.concat([Buffer.from(`+OK ${messages[0]!.length} octets\r\n`), stuff(messages[0]!)]),
      ),
    ).toBe(true);
    expect(out.record![2]).toMatchObject({
      type: 'payload-sent',
      fields: { bytes: messages[0]!.length, complete: true },
    });
    expect(messages[0]!.toString()).toMatch(/\r\n\.\r\n/);
  });

  it('truncates RETR and closes under truncate-retr', () => {
    const { m, messages } = machine({ faults: [{ kind: 'truncate-retr', at: 0.5 }] });
    m.start();
    login(m);
    const out = m.line('RETR 1');
    expect(out.close).toBe(true);
    expect(text(out).endsWith('\r\n.\r\n')).toBe(false);
    expect(out.record!.find((e) => e.type === 'payload-sent')).toMatchObject({
      fields: { bytes: Math.floor(messages[0]!.length / 2), complete: false },
    });
  });

  it('answers RETR only in TRANSACTION, and only for messages that exist', () => {
    const { m } = machine();
    m.start();
    expect(text(m.line('RETR 1'))).toMatch(/^-ERR/);
    login(m);
    expect(text(m.line('RETR 3'))).toMatch(/^-ERR/);
    expect(text(m.line('RETR 1x'))).toMatch(/^-ERR/);
    expect(text(m.line('STAT'))).toMatch(/^\+OK 2 \d+\r\n$/);
  });
});

describe('POP3 machine: faults and limits', () => {
  it('goes silent at the step a stall names', () => {
    const { m } = machine({ faults: [{ kind: 'stall', at: 'capa' }] });
    m.start();
    expect(m.line('CAPA')).toMatchObject({ stall: true });
    expect(m.line('QUIT')).toEqual({});
  });

  it('cuts the CAPA reply short and closes under close-mid-capa', () => {
    const { m } = machine({ faults: [{ kind: 'close-mid-capa' }] });
    m.start();
    const out = m.line('CAPA');
    expect(out.close).toBe(true);
    expect(text(out)).not.toMatch(/\r\n\.\r\n$/);
  });

  it('hangs up after too many unknown commands, and records hostile bytes printably', () => {
    const { m } = machine();
    m.start();
    let out: MachineOutput = {};
    for (let i = 0; i < MAX_BAD_COMMANDS; i++) out = m.line('\x00\xff\x1b[31mBOGUS');
    expect(out.close).toBe(true);
    expect(out.record![0]).toMatchObject({ fields: { verb: '\\x00\\xff\\x1b[31MBOGUS' } });
  });

  it('greets with -ERR and closes under greeting-error', () => {
    const out = machine({ faults: [{ kind: 'greeting-error' }] }).m.start();
    expect(text(out)).toMatch(/^-ERR /);
    expect(out.close).toBe(true);
  });

  // Found by `npm run fuzz` (seed 7): the plaintext seen after a false go-ahead was recorded raw.
  it('never records a password it sees in plaintext after a false go-ahead', () => {
    const { m } = machine({ tls: 'stls', faults: [{ kind: 'no-tls-after-go-ahead' }] });
    m.start();
    m.line('STLS');
    const recorded = [m.line('\u0000'), m.line('PASS conform-pop3-secret')]
      .map((o) => JSON.stringify(o.record ?? []))
      .join('');
    expect(recorded).not.toContain('conform-pop3-secret');
    expect(recorded).toContain('PASS (redacted)');
  });
});
