/** The script engine around the SMTP and POP3 machines, fed lines with no socket: what it writes and records. */
import { describe, expect, it } from 'vitest';
import type { MachineOutput } from '../line-session.js';
import { SmtpMachine } from '../../smtp/machine.js';
import { SmtpOptionsSchema } from '../../smtp/options.js';
import { createPop3Machine } from '../../pop3/machine.js';
import { Pop3OptionsSchema } from '../../pop3/options.js';
import { replyFields, ScriptedMachine } from './engine.js';
import { ScriptSchema, unescape } from './schema.js';

/** A scripted SMTP session; as the socket shell does, each line is told to the live machine as a chunk of its own. */
function smtp(script: unknown) {
  const options = SmtpOptionsSchema.parse({});
  const make = () => new SmtpMachine(options, { message: null }, false);
  const live = make();
  const m = new ScriptedMachine({ machine: live, shadow: make(), script: ScriptSchema.parse(script), implicitTls: false });
  const line = m.line.bind(m);
  m.line = (l: string) => {
    live.newChunk();
    return line(l);
  };
  return m;
}

const text = (o: MachineOutput): string => Buffer.from(o.write ?? '').toString('latin1');
const types = (o: MachineOutput): string[] => (o.record ?? []).map((e) => (e.type === 'fault' ? `fault:${e.fields.name}` : e.type));

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
    expect(Buffer.from(out.write!).equals(Buffer.concat([Buffer.from('220 2.0.0 Ready to start TLS\r\n'), Buffer.from('deadbeef', 'hex')]))).toBe(true);
    expect(out.upgrade).toEqual({});
  });

  it('injects a reply behind a refusal, and fires only on the nth match in the right layer', () => {
    const m = smtp([{ on: { command: 'EHLO', nth: 2 }, do: [{ reply: ['250-mail.conform.test', '250 AUTH PLAIN'] }, { send: '235 2.7.0 ok\\r\\n' }] }]);
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
    expect(greeting.sequence).toEqual([{ bytes: Buffer.from('220 mail.conform.test ESMTP Conform\r\n'), delayMs: 0, trickleMs: 5 }]);
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
    const m = new ScriptedMachine({ machine: make(), shadow: make(), script: ScriptSchema.parse([{ on: { command: 'PASS' }, do: [{ reply: '+Okay' }] }]), implicitTls: false });
    m.start();
    m.line(`USER ${options.credentials.user}`);
    const out = m.line(`PASS ${options.credentials.pass}`);
    expect(text(out)).toBe('+Okay\r\n');
    expect(out.record).toContainEqual(expect.objectContaining({ type: 'credentials', fields: expect.objectContaining({ layer: 'plaintext' }) }));
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
    expect(replyFields(['250-east.example', '250 AUTH PLAIN'])).toEqual({ code: '250', text: 'east.example / AUTH PLAIN' });
    expect(replyFields(['-ERR [SYS/PERM] no'])).toEqual({ code: '-ERR', text: '[SYS/PERM] no' });
    expect(replyFields(['+OK Capability list follows', 'RESP-CODES', '.'])).toEqual({ code: '+OK', text: 'Capability list follows / RESP-CODES / .' });
  });

  it('reads escapes in send', () => {
    expect(unescape('a\\r\\n\\x1b[31m\\\\\\0').equals(Buffer.from([97, 13, 10, 27, 91, 51, 49, 109, 92, 0]))).toBe(true);
  });
});

describe('ScriptedMachine around FTP', () => {
  it('holds bytes written after a deferred answer (EPSV) back as a trailer, and keeps the data-channel work', async () => {
    const { createFtpMachine } = await import('../../ftps/machine.js');
    const { FtpsOptionsSchema } = await import('../../ftps/options.js');
    const { VirtualTree } = await import('../../ftps/tree.js');
    const options = FtpsOptionsSchema.parse({ tls: 'none' });
    const make = () => createFtpMachine(options, new VirtualTree());
    const m = new ScriptedMachine({ machine: make(), shadow: make(), script: ScriptSchema.parse([{ on: { command: 'EPSV' }, do: ['normal', { send: '200 noise\\r\\n' }] }]), implicitTls: false });
    m.start();
    m.line('USER conform');
    m.line('PASS conform-ftp-secret');
    const out = m.line('EPSV') as MachineOutput & { data?: unknown };
    expect(out.data).toBeDefined();
    expect(out.write).toBeUndefined();
    expect(out.trailer?.toString()).toBe('200 noise\r\n');
  });
});
