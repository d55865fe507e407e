/** The FTPS script's pure parts: the schema's refusals (at the rule's field), the sentences, and the machine around the engine. */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { createFtpMachine } from './machine.js';
import { FtpsOptionsSchema } from './options.js';
import { explainFtpsRule, FtpsScriptSchema } from './script.js';
import { FtpsScriptedMachine } from './scripted.js';
import { VirtualTree } from './tree.js';

const issues = (script: unknown[]): Array<{ path: string; message: string }> => {
  const r = FtpsScriptSchema.safeParse(script);
  return r.success ? [] : r.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
};

describe('the FTPS script schema', () => {
  it('takes the shared rules and the data action beside normal', () => {
    expect(
      issues([
        { on: 'greeting', do: [{ reply: '230 Already logged in.' }, { state: 'logged-in' }] },
        { on: { command: ['PASV', 'EPSV'] }, do: ['normal', { data: { address: '127.0.0.3' } }] },
        {
          on: { command: 'RETR' },
          do: [
            { normal: { final: '426 Connection closed; transfer aborted.' } },
            { data: { cut: 0.5, end: 'close-without-notify' } },
          ],
        },
        { on: { command: '*' }, do: [{ normal: { lineEnd: 'lf' } }, { data: { tls: false } }], times: 100 },
      ]),
    ).toEqual([]);
  });

  it('refuses a data action that has nothing to act on, at the field that says so', () => {
    expect(issues([{ on: { command: 'RETR' }, do: [{ data: { cut: 0.5 } }] }])).toEqual([
      { path: '0.do.0.data', message: "a data action changes the server's own answer: put `normal` in the same rule" },
    ]);
    expect(issues([{ on: 'greeting', do: ['normal', { data: { connection: 'close' } }] }])[0]).toMatchObject({
      path: '0.on',
    });
    expect(issues([{ on: { command: 'RETR' }, do: ['normal', { data: { address: '127.0.0.3' } }] }])[0]).toMatchObject({
      path: '0.do.1.data.address',
    });
    expect(issues([{ on: { command: 'PASV' }, do: ['normal', { data: { cut: 0.5 } }] }])[0]).toMatchObject({
      path: '0.do.1.data.cut',
    });
    expect(
      issues([{ on: { command: 'RETR' }, do: ['normal', { data: { connection: 'refuse', cut: 0.5 } }] }])[0],
    ).toMatchObject({ path: '0.do.1.data' });
    expect(issues([{ on: { command: 'RETR' }, do: ['normal', { data: {} }] }])[0]).toMatchObject({
      path: '0.do.1.data',
    });
    expect(issues([{ on: { command: 'PASV' }, do: ['normal', { data: { address: '10.0.0.1' } }] }])[0]).toMatchObject({
      path: '0.do.1.data.address',
    });
    expect(
      issues([{ on: { command: 'RETR' }, do: ['normal', { data: { cut: 0.5 } }, { data: { tls: false } }] }])[0],
    ).toMatchObject({ path: '0.do.2.data', message: 'one data action per rule' });
    expect(issues([{ on: { command: 'STOR' }, do: ['normal', { data: { cut: 0.5 } }] }])[0]).toMatchObject({
      path: '0.do.1.data.cut',
    });
  });

  it('has no message trigger, and reaches the case options at script.N', () => {
    expect(issues([{ on: 'message', do: ['close'] }])).toEqual([
      { path: '0.on', message: "FTPS has no 'message' trigger" },
    ]);
    const r = FtpsOptionsSchema.safeParse({
      script: [{ on: { command: 'RETR' }, do: ['normal', { data: { cut: 2 } }] }],
    });
    expect(r.success).toBe(false);
    expect(r.error!.issues[0]!.path).toEqual(['script', 0, 'do', 1, 'data', 'cut']);
  });

  it('says each rule in one sentence, its data action too', () => {
    const [rule] = FtpsScriptSchema.parse([
      {
        on: { command: 'RETR' },
        do: [{ normal: { final: '426 Aborted.' } }, { data: { preliminary: false, cut: 0.5, end: 'reset' } }, 'close'],
      },
    ]);
    expect(explainFtpsRule(rule!, 0)).toBe(
      'rule 1: on RETR, the server gives its normal answer but ends the exchange with "426 Aborted.", then on the data channel leaves out the preliminary reply (150), sends only 50% of the data, resets the data connection, then closes the connection',
    );
  });
});

describe('the FTPS script around the machine', () => {
  const scripted = (script: unknown[]): { m: FtpsScriptedMachine } => {
    const options = FtpsOptionsSchema.parse({ tls: 'none', script });
    const m = new FtpsScriptedMachine(
      createFtpMachine(options, new VirtualTree()),
      createFtpMachine(options, new VirtualTree()),
      options.script,
      false,
    );
    m.start();
    m.line('USER conform');
    m.line('PASS conform-ftp-secret');
    return { m };
  };

  it('hands the data action to the data channel, and counts the rule fired only when it acts there', () => {
    const { m } = scripted([{ on: { command: 'RETR' }, do: ['normal', { data: { cut: 0.5 } }] }]);
    m.line('EPSV');
    m.passiveReady('EPSV', '127.0.0.1', 2121);
    const out = m.line('RETR /pub/binary.bin');
    expect(String(out.write)).toMatch(/^150 /);
    // Met only on the data connection: the rule's event waits for it there.
    expect(out.record!.some((e) => e.type === 'fault')).toBe(false);
    const req = out.data!;
    expect(req.op === 'transfer' && req.script).toMatchObject({
      edit: { cut: 0.5 },
      fault: { name: 'script-rule-1' },
      records: true,
    });
    expect(m.unfired()).toHaveLength(1);
    req.script!.acted!();
    expect(m.unfired()).toEqual([]);
    expect(String(m.transferred({ ok: true }).write)).toMatch(/^226 /);
  });

  it('applies the edits to the replies that end the data work, replaces the last with final, and keeps what follows normal for after it', () => {
    const { m } = scripted([
      {
        on: { command: 'RETR' },
        do: [{ normal: { final: '421 Closing.', lineEnd: 'lf' } }, { reply: '250 Extra' }, 'close'],
      },
      { on: { command: '*' }, do: [{ normal: { lineEnd: 'lf' } }], times: 10 },
    ]);
    expect(m.line('EPSV').write).toBeUndefined();
    expect(String(m.passiveReady('EPSV', '127.0.0.1', 2121).write)).toBe(
      '229 Entering Extended Passive Mode (|||2121|)\n',
    );
    const start = m.line('RETR /pub/binary.bin');
    expect(String(start.write)).toMatch(/^150 [^\r]*\n$/);
    expect(start.close).toBeUndefined();
    expect(start.record!.filter((e) => e.type === 'reply').map((e) => e.fields.code)).toEqual(['150']);
    const end = m.transferred({ ok: true });
    expect(String(end.write)).toBe('421 Closing.\n250 Extra\r\n');
    expect(end.close).toBe(true);
    expect(end.record!.filter((e) => e.type === 'reply').map((e) => e.fields.code)).toEqual(['421', '250']);
  });

  it('follows the control connection back to plaintext after CCC: a plaintext rule matches again', () => {
    const options = FtpsOptionsSchema.parse({
      ccc: 'accepted',
      script: [{ on: { command: 'NOOP', layer: 'plaintext' }, do: [{ reply: '200 In clear.' }], times: 5 }],
    });
    const m = new FtpsScriptedMachine(
      createFtpMachine(options, new VirtualTree()),
      createFtpMachine(options, new VirtualTree()),
      options.script,
      false,
    );
    m.start();
    expect(m.line('AUTH TLS').upgrade).toBeDefined();
    m.upgraded();
    for (const line of ['USER conform', 'PASS conform-ftp-secret', 'PBSZ 0', 'PROT P']) m.line(line);
    expect(String(m.line('NOOP').write)).toMatch(/^200 NOOP ok/);
    expect(m.line('CCC').clear).toBe(true);
    m.cleared(true);
    expect(String(m.line('NOOP').write)).toBe('200 In clear.\r\n');
  });

  it('leaves out the 150 and its event when the data action says so, and keeps the rule event with the command', () => {
    const { m } = scripted([
      { on: { command: 'LIST' }, do: ['normal', { data: { preliminary: false, connection: 'close' } }] },
    ]);
    m.line('EPSV');
    m.passiveReady('EPSV', '127.0.0.1', 2121);
    const out = m.line('LIST /pub');
    expect(out.write).toBeUndefined();
    expect(out.record!.map((e) => e.type)).toEqual(['command', 'fault']);
    expect(out.record![1]!.fields).toMatchObject({
      name: 'script-rule-1',
      explain: expect.stringContaining('leaves out the preliminary reply (150)'),
    });
  });
});

describe('docs/scripting.md', () => {
  it('gives FTPS data-channel examples that the FTPS script schema takes', async () => {
    const text = await readFile(join(import.meta.dirname, '../../docs/scripting.md'), 'utf8');
    const ftps = text.slice(text.indexOf('### FTPS'), text.indexOf('\n## ', text.indexOf('### FTPS')));
    const examples = [...ftps.matchAll(/```yaml\n([\s\S]*?)```/g)].map(
      (m) => (parse(m[1]!) as { server: { script: unknown[] } }).server.script,
    );
    expect(examples.flat().length).toBeGreaterThan(6);
    for (const example of examples) expect(issues(example)).toEqual([]);
  });
});
