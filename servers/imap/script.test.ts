/** Scripts over the IMAP machine: rules match the verb after the tag, `{tag}` is the command's, `logged-in` authenticates. */
import { describe, expect, it } from 'vitest';
import type { MachineOutput } from '../shared/line-session.js';
import { withScript } from '../shared/script/engine.js';
import { createImapMachine } from './machine.js';
import { makeMessages } from './mailbox.js';
import { ImapOptionsSchema } from './options.js';

function scripted(script: unknown[], options: Record<string, unknown> = {}) {
  const parsed = ImapOptionsSchema.parse({ ...options, script });
  const messages = makeMessages(parsed.mailbox);
  return withScript(
    createImapMachine(parsed, messages),
    parsed.script,
    () => createImapMachine(parsed, messages),
    false,
  );
}

const text = (out: MachineOutput): string =>
  out.write === undefined ? '' : Buffer.from(out.write as string | Buffer).toString('latin1');

describe('IMAP scripts', () => {
  it('answer a command by its verb, whatever its tag, with the tag it carried', () => {
    const m = scripted([{ on: { command: 'STARTTLS' }, do: [{ reply: '{tag} NO [UNAVAILABLE] Not today.' }] }]);
    m.start();
    const out = m.line('k9 STARTTLS');
    expect(text(out)).toBe('k9 NO [UNAVAILABLE] Not today.\r\n');
    expect(out.upgrade).toBeUndefined();
    expect(out.record?.map((e) => e.type)).toEqual(['command', 'fault', 'reply']);
    expect(out.record?.[0]).toMatchObject({ fields: { verb: 'STARTTLS', tag: 'k9' } });
  });

  it('greet with PREAUTH and a logged-in state, in plaintext', () => {
    const m = scripted([
      { on: 'greeting', do: [{ reply: '* PREAUTH IMAP4rev1 server logged in as conform' }, { state: 'logged-in' }] },
    ]);
    expect(text(m.start())).toBe('* PREAUTH IMAP4rev1 server logged in as conform\r\n');
    expect(text(m.line('a1 SELECT INBOX'))).toMatch(/a1 OK \[READ-WRITE\] Select completed/);
  });

  it('write a foreign completion ahead of the normal answer, and leave literal octets and SASL responses alone', () => {
    const m = scripted([
      { on: { command: 'FETCH' }, do: [{ reply: 'Z1 OK FETCH completed.' }, 'normal'] },
      { on: { command: 'NOOP' }, do: [{ reply: '* BAD scripted' }], optional: true, times: 10 },
    ]);
    m.start();
    // A literal's octets that look like a tagged NOOP, and a SASL cancellation, are no commands: no rule sees them.
    m.line('a1 LOGIN conform {6}');
    expect(text(m.line('x NOOP'))).toBe('a1 NO [AUTHENTICATIONFAILED] Authentication failed.\r\n');
    m.line('a2 AUTHENTICATE PLAIN');
    expect(text(m.line('*'))).toBe('a2 BAD Authentication aborted by client.\r\n');
    expect(text(m.line('a3 NOOP'))).toBe('* BAD scripted\r\n');
    m.line('a4 LOGIN conform conform-imap-secret');
    m.line('a5 SELECT INBOX');
    expect(text(m.line('a6 FETCH 2 RFC822.SIZE'))).toMatch(
      /^Z1 OK FETCH completed\.\r\n\* 2 FETCH \(RFC822\.SIZE \d+\)\r\na6 OK Fetch completed\.\r\n$/,
    );
  });

  it('match UID FETCH as UID, and a rule on a command opening a literal answers its first line', () => {
    const m = scripted([
      { on: { command: 'UID', args: '^FETCH' }, do: [{ reply: '{tag} NO [UNAVAILABLE] Scripted.' }] },
      { on: { command: 'LOGIN' }, do: [{ reply: '{tag} NO [PRIVACYREQUIRED] Scripted.' }] },
    ]);
    m.start();
    expect(text(m.line('t1 LOGIN {7}'))).toBe('t1 NO [PRIVACYREQUIRED] Scripted.\r\n');
    expect(text(m.line('t2 uid FETCH 1 BODY[]'))).toBe('t2 NO [UNAVAILABLE] Scripted.\r\n');
  });
});
