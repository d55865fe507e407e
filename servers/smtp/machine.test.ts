/** The SMTP machine fed lines, with no socket: replies out, events recorded, state reset by STARTTLS. */
import { describe, expect, it } from 'vitest';
import type { MachineOutput } from '../shared/line-session.js';
import { SmtpMachine } from './machine.js';
import { SmtpOptionsSchema } from './options.js';
import type { Mailbox } from './session.js';

const PLAIN = Buffer.from('\0alice\0conform-secret-7').toString('base64');

/** A machine and a way to talk to it: each call is one input chunk of lines. */
function session(options: unknown = {}, implicit = false) {
  const mailbox: Mailbox = { message: null };
  const machine = new SmtpMachine(SmtpOptionsSchema.parse(options), mailbox, implicit);
  const outputs: MachineOutput[] = [machine.start()];
  const send = (...lines: string[]): string => {
    machine.newChunk();
    let written = '';
    for (const line of lines) {
      const out = machine.line(line);
      outputs.push(out);
      written += out.write === undefined ? '' : Buffer.from(out.write).toString('latin1');
      if (out.close || out.upgrade || out.stall) break;
    }
    return written;
  };
  const events = () => outputs.flatMap((o) => o.record ?? []);
  const last = () => outputs[outputs.length - 1]!;
  return { machine, mailbox, send, events, last, greeting: Buffer.from(outputs[0]!.write ?? '').toString() };
}

describe('SMTP machine', () => {
  it('greets, lists its capabilities from the registry, and hides AUTH until TLS', () => {
    const t = session();
    expect(t.greeting).toBe('220 mail.conform.test ESMTP Conform\r\n');
    expect(t.send('EHLO client.test')).toBe(
      '250-mail.conform.test\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250 8BITMIME\r\n',
    );
    expect(t.send(`AUTH PLAIN ${PLAIN}`)).toMatch(/^503 /);
    // The secret crossed in plaintext even though AUTH was refused: that is evidence.
    expect(t.events()).toContainEqual({
      type: 'credentials',
      fields: { layer: 'plaintext', mechanism: 'PLAIN', user: 'alice' },
    });
    expect(JSON.stringify(t.events())).not.toContain(PLAIN);
  });

  it('STARTTLS upgrades and forgets everything: EHLO again, then AUTH is offered', () => {
    const t = session();
    t.send('EHLO c');
    expect(t.send('STARTTLS')).toBe('220 2.0.0 Ready to start TLS\r\n');
    expect(t.last().upgrade).toEqual({});
    expect(t.machine.upgraded()).toEqual({});
    expect(t.send('MAIL FROM:<a@b>')).toMatch(/^503 5\.5\.1 Error: send HELO\/EHLO first/);
    expect(t.send('EHLO c')).toContain('250-AUTH PLAIN LOGIN\r\n');
    expect(t.send('EHLO c')).not.toContain('STARTTLS');
    expect(t.send(`AUTH PLAIN ${PLAIN}`)).toBe('235 2.7.0 Authentication successful\r\n');
    expect(t.send('STARTTLS')).toMatch(/^554 5\.5\.1 Error: TLS already active/);
  });

  it('AUTH LOGIN prompts twice and records the user, never the password', () => {
    const t = session({}, true);
    t.send('EHLO c');
    expect(t.send('AUTH LOGIN')).toBe('334 VXNlcm5hbWU6\r\n');
    expect(t.send(Buffer.from('alice').toString('base64'))).toBe('334 UGFzc3dvcmQ6\r\n');
    expect(t.send(Buffer.from('wrong').toString('base64'))).toBe('535 5.7.8 Error: authentication failed\r\n');
    expect(t.events().filter((e) => e.type === 'credentials')).toEqual([
      { type: 'credentials', fields: { layer: 'tls', mechanism: 'LOGIN', user: 'alice' } },
    ]);
    expect(
      t
        .events()
        .filter((e) => e.type === 'command')
        .map((e) => (e.fields as { raw: string }).raw),
    ).toEqual(['EHLO c', 'AUTH LOGIN']);
  });

  it('un-dot-stuffs the message and keeps it byte for byte', () => {
    const t = session({}, true);
    t.send('EHLO c');
    t.send('MAIL FROM:<alice@conform.test>');
    t.send('RCPT TO:<bob@example.org>');
    expect(t.send('DATA')).toMatch(/^354 /);
    expect(t.send('Subject: x', '', '..', '...two', '.one', 'end', '.')).toBe('250 2.0.0 Ok: queued as CONFORM1\r\n');
    expect(t.mailbox.message!.toString()).toBe('Subject: x\r\n\r\n.\r\n..two\r\none\r\nend\r\n');
    expect(t.events()).toContainEqual(expect.objectContaining({ type: 'payload-received' }));
  });

  it('accepts a pipelined group only where PIPELINING allows it (RFC 2920 §3.1)', () => {
    const ok = session({}, true);
    ok.send('EHLO c');
    expect(ok.send('MAIL FROM:<a@b>', 'RCPT TO:<c@d>', 'DATA')).toBe(
      '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 End data with <CR><LF>.<CR><LF>\r\n',
    );
    const early = session({}, true);
    early.send('EHLO c', 'MAIL FROM:<a@b>');
    expect(early.last()).toMatchObject({ close: true });
    const none = session({ capabilities: { after: ['AUTH'] } }, true);
    none.send('EHLO c');
    expect(none.send('MAIL FROM:<a@b>', 'RCPT TO:<c@d>')).toBe(
      '250 2.1.0 Ok\r\n554 5.5.0 Error: SMTP protocol synchronization\r\n',
    );
    const message = session({}, true);
    message.send('EHLO c');
    message.send('MAIL FROM:<a@b>', 'RCPT TO:<c@d>');
    expect(message.send('DATA', 'Subject: too soon')).toMatch(/354 .*\r\n554 5\.5\.0/);
  });

  it('refuses MAIL and AUTH before TLS when STARTTLS is required', () => {
    const t = session({ tls: 'starttls-required', capabilities: { before: ['STARTTLS', 'AUTH'] } });
    t.send('EHLO c');
    expect(t.send('MAIL FROM:<a@b>')).toBe('530 5.7.0 Must issue a STARTTLS command first\r\n');
    expect(t.send('AUTH LOGIN')).toBe('530 5.7.0 Must issue a STARTTLS command first\r\n');
  });

  it('carries out the STARTTLS faults and records each', () => {
    const strip = session({ faults: [{ kind: 'strip-starttls' }] });
    expect(strip.send('EHLO c')).not.toContain('STARTTLS');
    expect(strip.send('STARTTLS')).toMatch(/^502 /);
    const hide = session({ faults: [{ kind: 'hide-starttls' }] });
    expect(hide.send('EHLO c')).not.toContain('STARTTLS');
    expect(hide.send('STARTTLS')).toMatch(/^220 /);
    const odd = session({ faults: [{ kind: 'refuse-starttls', code: '354' }] });
    odd.send('EHLO c');
    expect(odd.send('STARTTLS')).toBe('354 3.0.0 Go ahead\r\n');
    const inject = session({ faults: [{ kind: 'inject-after-starttls', bytes: '250-AUTH PLAIN ' }] });
    inject.send('EHLO c');
    inject.send('STARTTLS');
    expect(inject.last().upgrade).toEqual({ inject: '250-AUTH PLAIN ' });
    expect(inject.events().filter((e) => e.type === 'fault')).toHaveLength(1);
  });

  it('offers the lure with every plaintext-keeping fault: AUTH PLAIN LOGIN advertised and accepted before TLS', () => {
    // Whatever the case's own AUTH settings: a man in the middle writes the plaintext EHLO reply.
    for (const fault of [{ kind: 'strip-starttls' }, { kind: 'hide-starttls' }, { kind: 'refuse-starttls' }]) {
      const t = session({ auth: { mechanisms: [] }, faults: [fault] });
      expect(t.send('EHLO c')).toContain('250-AUTH PLAIN LOGIN\r\n');
      expect(t.send(`AUTH PLAIN ${PLAIN}`)).toBe('235 2.7.0 Authentication successful\r\n');
      expect(t.events()).toContainEqual({
        type: 'credentials',
        fields: { layer: 'plaintext', mechanism: 'PLAIN', user: 'alice' },
      });
    }
    const stripped = session({ faults: [{ kind: 'strip-starttls' }] });
    stripped.send('EHLO c');
    expect(stripped.events().filter((e) => e.type === 'fault')).toEqual([
      {
        type: 'fault',
        fields: { name: 'strip-starttls', explain: expect.stringContaining('offers AUTH PLAIN LOGIN in plaintext') },
      },
    ]);
  });

  it('takes AUTH LOGIN and the whole transaction in plaintext under the lure, even when the server requires STARTTLS', () => {
    const t = session({ tls: 'starttls-required', faults: [{ kind: 'hide-starttls' }] });
    expect(t.send('EHLO c')).not.toContain('STARTTLS');
    expect(t.send('AUTH LOGIN')).toBe('334 VXNlcm5hbWU6\r\n');
    t.send(Buffer.from('alice').toString('base64'));
    expect(t.send(Buffer.from('conform-secret-7').toString('base64'))).toMatch(/^235 /);
    expect(t.send('MAIL FROM:<alice@conform.test>')).toBe('250 2.1.0 Ok\r\n');
    expect(t.events()).toContainEqual({
      type: 'credentials',
      fields: { layer: 'plaintext', mechanism: 'LOGIN', user: 'alice' },
    });
  });

  it('drops the lure inside TLS: the EHLO reply there lists the case’s own mechanisms', () => {
    const t = session({ auth: { mechanisms: ['LOGIN'] }, faults: [{ kind: 'hide-starttls' }] });
    expect(t.send('EHLO c')).toContain('250-AUTH PLAIN LOGIN\r\n');
    expect(t.send('STARTTLS')).toMatch(/^220 /);
    t.machine.upgraded();
    const inside = t.send('EHLO c');
    expect(inside).toContain('250-AUTH LOGIN\r\n');
    expect(inside).not.toContain('PLAIN');
  });

  it('accepts AUTH after HELO when EHLO is refused (no reply to advertise it in)', () => {
    const t = session({ faults: [{ kind: 'refuse-ehlo' }] });
    expect(t.send('EHLO c')).toMatch(/^500 /);
    expect(t.send('HELO c')).toBe('250 mail.conform.test\r\n');
    expect(t.send('AUTH LOGIN')).toBe('334 VXNlcm5hbWU6\r\n');
    expect(
      t
        .events()
        .filter((e) => e.type === 'fault')
        .map((e) => e.fields.name),
    ).toEqual(['refuse-ehlo']);
  });

  it('pipelines the injected replies behind the refusal in one write, and records the fault once', () => {
    const inject = '250 2.1.0 Ok\r\n354 End data\r\n';
    const t = session({ faults: [{ kind: 'refuse-starttls', code: '454', inject }] });
    t.send('EHLO c');
    expect(t.send('STARTTLS')).toBe(`454 4.7.0 TLS not available due to local problem\r\n${inject}`);
    expect(t.last().upgrade).toBeUndefined();
    expect(t.last().record!.map((e) => e.type)).toEqual(['command', 'fault', 'reply']);
    expect(t.last().record![1]).toMatchObject({ fields: { explain: expect.stringContaining(JSON.stringify(inject)) } });
    // The server itself goes on answering the client's own commands, one reply each.
    expect(t.send('MAIL FROM:<a@b>')).toBe('250 2.1.0 Ok\r\n');
  });

  it('without TLS after the go-ahead, records plaintext sent after a ClientHello', () => {
    const t = session({ faults: [{ kind: 'no-tls-after-go-ahead' }] });
    t.send('EHLO c');
    t.send('STARTTLS');
    expect(t.send('\x16\x03\x01\x02\x00\x01garbage')).toBe('');
    t.send('\x01\x02random\x00bytesEHLO c');
    expect(t.events()).toContainEqual({ type: 'plaintext-after-hello', fields: { preview: 'EHLO c' } });
  });

  it('stalls and refuses where the faults say', () => {
    const stall = session({ faults: [{ kind: 'stall', at: 'mail' }] }, true);
    stall.send('EHLO c');
    stall.send('MAIL FROM:<a@b>');
    expect(stall.last()).toMatchObject({ stall: true });
    const greet = session({ faults: [{ kind: 'refuse-greeting', code: '554' }] });
    expect(greet.greeting).toMatch(/^554 /);
    expect(greet.send('EHLO c')).toMatch(/^503 /);
    expect(greet.send('QUIT')).toMatch(/^221 /);
    const rcpt = session({ faults: [{ kind: 'reject-rcpt', code: '451', match: 'nobody' }] }, true);
    rcpt.send('EHLO c');
    rcpt.send('MAIL FROM:<a@b>');
    expect(rcpt.send('RCPT TO:<bob@x>')).toMatch(/^250 /);
    expect(rcpt.send('RCPT TO:<nobody@x>')).toMatch(/^451 4\.3\.0 <nobody@x>/);
  });

  it('survives hostile input: garbage, NULs, a command flood', () => {
    const t = session({ maxCommands: 20 });
    expect(t.send('\x00\xff\x16garbage')).toMatch(/^502 /);
    expect(t.send('AUTH PLAIN !!!notbase64')).toMatch(/^503 /);
    for (let i = 0; i < 30 && !t.last().close; i++) t.send('NOOP');
    expect(t.last()).toMatchObject({ close: true, write: '421 4.7.0 Error: too many commands\r\n' });
    expect(t.events().some((e) => e.type === 'server-error')).toBe(false);
  });
});
