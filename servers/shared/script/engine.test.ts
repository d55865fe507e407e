/** The script engine around the SMTP and POP3 machines, fed lines with no socket: what it writes and records. */
import { describe, expect, it } from 'vitest';
import type { MachineOutput } from '../line-session.js';
import { SmtpMachine } from '../../smtp/machine.js';
import { SmtpOptionsSchema } from '../../smtp/options.js';
import { createPop3Machine } from '../../pop3/machine.js';
import { Pop3OptionsSchema } from '../../pop3/options.js';
import { replyFields, ScriptedMachine } from './engine.js';
import { editAnswer, ScriptSchema, scriptFor, unescape } from './schema.js';

/** A scripted SMTP session; as the socket shell does, each line is told to the live machine as a chunk of its own. */
function smtp(script: unknown) {
  const options = SmtpOptionsSchema.parse({});
  const make = () => new SmtpMachine(options, { message: null }, false);
  const live = make();
  const m = new ScriptedMachine({
    machine: live,
    shadow: make(),
    script: ScriptSchema.parse(script),
    implicitTls: false,
  });
  const line = m.line.bind(m);
  m.line = (l: string) => {
    live.newChunk();
    return line(l);
  };
  return m;
}

const text = (o: MachineOutput): string => Buffer.from(o.write ?? '').toString('latin1');
const types = (o: MachineOutput): string[] =>
  (o.record ?? []).map((e) => (e.type === 'fault' ? `fault:${e.fields.name}` : e.type));

describe('ScriptedMachine', () => {
  it('answers a command with the rule alone: no upgrade, the command and its scripted reply recorded', () => {
    const m = smtp([{ on: { command: 'STARTTLS' }, do: [{ reply: '221 2.0.0 Bye' }] }]);
    m.start();
    m.line('EHLO c');
    const out = m.line('STARTTLS');
    expect(text(out)).toBe('221 2.0.0 Bye\r\n');
    expect(out.upgrade).toBeUndefined();
    expect(types(out)).toEqual(['command', 'fault:script-rule-1', 'reply']);
    expect(m.unfired()).toEqual([]);
  });

  it('puts bytes behind the normal answer in the same write, keeping its go-ahead', () => {
    const m = smtp([{ on: { command: 'starttls' }, do: ['normal', { hex: 'de ad be ef' }] }]);
    m.start();
    m.line('EHLO c');
    const out = m.line('STARTTLS');
    expect(
      Buffer.from(out.write!).equals(
        Buffer.concat([Buffer.from('220 2.0.0 Ready to start TLS\r\n'), Buffer.from('deadbeef', 'hex')]),
      ),
    ).toBe(true);
    expect(out.upgrade).toEqual({});
  });

  it('injects a reply behind a refusal, and fires only on the nth match in the right layer', () => {
    const m = smtp([
      {
        on: { command: 'EHLO', nth: 2 },
        do: [{ reply: ['250-mail.conform.test', '250 AUTH PLAIN'] }, { send: '235 2.7.0 ok\\r\\n' }],
      },
    ]);
    m.start();
    expect(text(m.line('EHLO a'))).toMatch(/STARTTLS/);
    expect(text(m.line('EHLO b'))).toBe('250-mail.conform.test\r\n250 AUTH PLAIN\r\n235 2.7.0 ok\r\n');
    expect(text(m.line('EHLO c'))).toMatch(/STARTTLS/);
  });

  it('turns delays and trickles into a timed sequence, and reports a rule that never fired', () => {
    const m = smtp([
      { on: 'greeting', do: [{ trickle: 5 }, 'normal'] },
      { on: { command: 'QUIT', layer: 'tls' }, do: ['reset'] },
    ]);
    const greeting = m.start();
    expect(greeting.write).toBeUndefined();
    expect(greeting.sequence).toEqual([
      { bytes: Buffer.from('220 mail.conform.test ESMTP Conform\r\n'), delayMs: 0, trickleMs: 5 },
    ]);
    expect(m.unfired()).toEqual(['rule 2: on QUIT in tls, the server resets the connection']);
  });

  it('leaves message lines to the machine, even one that looks like a scripted command', () => {
    const m = smtp([{ on: { command: 'QUIT' }, do: [{ reply: '250 not quitting' }] }]);
    m.start();
    for (const l of ['EHLO c', 'MAIL FROM:<a@b>', 'RCPT TO:<c@d>', 'DATA']) m.line(l);
    expect(text(m.line('QUIT'))).toBe('');
    expect(text(m.line('.'))).toMatch(/^250 2\.0\.0 Ok/);
    expect(text(m.line('QUIT'))).toBe('250 not quitting\r\n');
  });

  it('records the credentials of a line it answers alone (POP3 PASS answered by the script)', () => {
    const options = Pop3OptionsSchema.parse({});
    const make = () => createPop3Machine(options, [Buffer.from('x\r\n')]);
    const m = new ScriptedMachine({
      machine: make(),
      shadow: make(),
      script: ScriptSchema.parse([{ on: { command: 'PASS' }, do: [{ reply: '+Okay' }] }]),
      implicitTls: false,
    });
    m.start();
    m.line(`USER ${options.credentials.user}`);
    const out = m.line(`PASS ${options.credentials.pass}`);
    expect(text(out)).toBe('+Okay\r\n');
    expect(out.record).toContainEqual(
      expect.objectContaining({ type: 'credentials', fields: expect.objectContaining({ layer: 'plaintext' }) }),
    );
  });

  it('fires a tls rule when the upgrade completes, before the client speaks inside TLS', () => {
    const m = smtp([{ on: 'tls', do: [{ reply: '220 again' }] }]);
    m.start();
    m.line('EHLO c');
    expect(m.line('STARTTLS').upgrade).toBeDefined();
    const inside = m.upgraded();
    expect(text(inside)).toBe('220 again\r\n');
    expect(types(inside)).toEqual(['fault:script-rule-1', 'reply']);
    expect(inside.record?.find((e) => e.type === 'reply')?.fields).toMatchObject({ layer: 'tls' });
  });

  it('records a scripted reply with its code, SMTP or POP3, and its text without continuation prefixes', () => {
    expect(replyFields(['250-east.example', '250 AUTH PLAIN'])).toEqual({
      code: '250',
      text: 'east.example / AUTH PLAIN',
    });
    expect(replyFields(['-ERR [SYS/PERM] no'])).toEqual({ code: '-ERR', text: '[SYS/PERM] no' });
    expect(replyFields(['+OK Capability list follows', 'RESP-CODES', '.'])).toEqual({
      code: '+OK',
      text: 'Capability list follows / RESP-CODES / .',
    });
  });

  it('reads escapes in send', () => {
    expect(unescape('a\\r\\n\\x1b[31m\\\\\\0').equals(Buffer.from([97, 13, 10, 27, 91, 51, 49, 109, 92, 0]))).toBe(
      true,
    );
  });
});

describe('ScriptedMachine around FTP', () => {
  it('holds bytes written after a deferred answer (EPSV) back as a trailer, and keeps the data-channel work', async () => {
    const { createFtpMachine } = await import('../../ftps/machine.js');
    const { FtpsOptionsSchema } = await import('../../ftps/options.js');
    const { VirtualTree } = await import('../../ftps/tree.js');
    const options = FtpsOptionsSchema.parse({ tls: 'none' });
    const make = () => createFtpMachine(options, new VirtualTree());
    const m = new ScriptedMachine({
      machine: make(),
      shadow: make(),
      script: ScriptSchema.parse([{ on: { command: 'EPSV' }, do: ['normal', { send: '200 noise\\r\\n' }] }]),
      implicitTls: false,
    });
    m.start();
    m.line('USER conform');
    m.line('PASS conform-ftp-secret');
    const out = m.line('EPSV') as MachineOutput & { data?: unknown };
    expect(out.data).toBeDefined();
    expect(out.write).toBeUndefined();
    expect(out.trailer?.toString()).toBe('200 noise\r\n');
  });

  it('edits the normal answer: a capability dropped or added with the continuation prefixes kept right', () => {
    const m = smtp([
      { on: { command: 'EHLO', nth: 1 }, do: [{ normal: { drop: '^STARTTLS' } }] },
      { on: { command: 'EHLO', nth: 2 }, do: [{ normal: { add: 'X-LURE', lineEnd: 'lf' } }] },
    ]);
    m.start();
    const dropped = text(m.line('EHLO c'));
    expect(dropped).not.toMatch(/STARTTLS/);
    expect(dropped).toMatch(/^250-mail\.conform\.test\r\n(250-[^\r]*\r\n)*250 [^\r]*\r\n$/);
    const added = text(m.line('EHLO c')).split('\n');
    expect(added).toContain('250-X-LURE');
    expect(added[added.length - 2]).toMatch(/^250 /);
    expect(added.join('\n')).not.toMatch(/\r/);
  });

  it('adds a line before the "." of a POP3 list, and cuts an answer to a fraction of its bytes', () => {
    const options = Pop3OptionsSchema.parse({});
    const make = () => createPop3Machine(options, [Buffer.from('0123456789'.repeat(10) + '\r\n')]);
    const script = ScriptSchema.parse([
      { on: { command: 'CAPA' }, do: [{ normal: { add: 'STLS' } }] },
      { on: { command: 'RETR' }, do: [{ normal: { cut: 0.5 } }, 'close'] },
    ]);
    const m = new ScriptedMachine({ machine: make(), shadow: make(), script, implicitTls: true });
    m.start();
    expect(text(m.line('CAPA'))).toMatch(/\r\nSTLS\r\n\.\r\n$/);
    m.line(`USER ${options.credentials.user}`);
    m.line(`PASS ${options.credentials.pass}`);
    const cut = m.line('RETR 1');
    expect(cut.close).toBe(true);
    expect(text(cut).length).toBeLessThan(70);
    expect(text(cut)).toMatch(/^\+OK/);
  });

  it('replaces the outcome of an AUTH exchange after the credentials (normal with final)', () => {
    // Inside implicit TLS, where AUTH is offered.
    const options = SmtpOptionsSchema.parse({ tls: 'implicit' });
    const make = () => new SmtpMachine(options, { message: null }, true);
    const script = ScriptSchema.parse([{ on: { command: 'AUTH' }, do: [{ normal: { final: '535 5.7.8 no' } }] }]);
    const live = make();
    const m = new ScriptedMachine({ machine: live, shadow: make(), script, implicitTls: true });
    const line = (l: string): MachineOutput => {
      live.newChunk();
      return m.line(l);
    };
    m.start();
    line('EHLO c');
    expect(text(line('AUTH LOGIN'))).toMatch(/^334 /);
    expect(text(line(Buffer.from('user').toString('base64')))).toMatch(/^334 /);
    const end = line(Buffer.from('pass').toString('base64'));
    expect(text(end)).toBe('535 5.7.8 no\r\n');
    expect(end.record).toContainEqual({ type: 'reply', fields: { layer: 'tls', code: '535', text: '5.7.8 no' } });
    expect(text(line('MAIL FROM:<a@b>'))).toMatch(/^(250|530)/);
  });

  it('answers the end of the message data, keeping the record of the message received', () => {
    const m = smtp([{ on: 'message', do: [{ reply: '554 5.7.1 refused' }] }]);
    m.start();
    for (const l of ['EHLO c', 'MAIL FROM:<a@b>', 'RCPT TO:<c@d>', 'DATA', 'Subject: x', '', 'body']) m.line(l);
    const out = m.line('.');
    expect(text(out)).toBe('554 5.7.1 refused\r\n');
    expect(types(out)).toEqual(['fault:script-rule-1', 'payload-received', 'reply']);
  });

  it('speaks at connect, and answers a ClientHello with an alert (recorded as a failed handshake) or swallows it', () => {
    const m = smtp([
      { on: 'connect', do: [{ send: 'junk\\r\\n' }] },
      { on: 'client-hello', do: [{ alert: 'handshake_failure' }, 'close'] },
      { on: 'client-hello', do: ['ignore'] },
    ]);
    expect(text(m.connected()!)).toBe('junk\r\n');
    expect(m.watchesHello()).toBe(true);
    expect(m.helloGoesOn()).toBe(false);
    const refused = m.clientHello()!;
    expect(refused.proceed).toBe(false);
    expect(refused.close).toBe(true);
    expect([...Buffer.from(refused.write!)]).toEqual([21, 3, 3, 0, 2, 2, 40]);
    expect(refused.record).toContainEqual({
      type: 'tls-failed',
      fields: { error: 'SCRIPTED_ALERT', alert: 'handshake_failure' },
    });
    expect(m.helloGoesOn()).toBe(true);
    expect(m.clientHello()!.close).toBeUndefined();
    expect(m.watchesHello()).toBe(false);
  });

  it('refuses a trigger the protocol has no moment for, naming the rule and field', () => {
    const result = scriptFor('POP3', ['message']).safeParse([
      { on: 'greeting', do: ['normal'] },
      { on: 'message', do: ['stall'] },
    ]);
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]).toMatchObject({ path: [1, 'on'], message: "POP3 has no 'message' trigger" });
  });

  it('edits pure bytes as the schema says: drop keeps the POP3 status line, cut floors', () => {
    expect(editAnswer(Buffer.from('+OK\r\nSTLS\r\nUSER\r\n.\r\n'), { drop: '^(STLS|\\+OK)' }).toString()).toBe(
      '+OK\r\nUSER\r\n.\r\n',
    );
    expect(editAnswer(Buffer.from('250 ok\r\n'), { add: 'X' }).toString()).toBe('250-ok\r\n250 X\r\n');
    expect(editAnswer(Buffer.from('abcd'), { cut: 0.6 }).toString()).toBe('ab');
    // FEAT's features stay bare lines begun with a space (RFC 2389 §3.2).
    const feat = Buffer.from('211-Features:\r\n AUTH TLS\r\n PBSZ\r\n SIZE\r\n211 End\r\n');
    expect(editAnswer(feat, { drop: '^ AUTH' }).toString()).toBe('211-Features:\r\n PBSZ\r\n SIZE\r\n211 End\r\n');
    expect(editAnswer(feat, { add: ' MDTM' }).toString()).toBe(
      '211-Features:\r\n AUTH TLS\r\n PBSZ\r\n SIZE\r\n MDTM\r\n211 End\r\n',
    );
  });
});
