/** The judge is pure: events, outcome and output in, checks out. Fed recorded-shape events here. */
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../servers/shared/events.js';
import { ExpectationSchema } from '../suite/expectations-schema.js';
import { evaluate } from './expectations.js';
import type { JudgeInput } from './judge.js';

let seq = 0;
const ev = (type: string, fields: Record<string, unknown> = {}): ServerEvent =>
  ({ seq: seq++, t: seq, server: 'smtp', conn: 1, type, ...fields }) as unknown as ServerEvent;
const cmd = (verb: string, layer: 'plaintext' | 'tls', args = '') =>
  ev('command', { verb, args, layer, raw: `${verb} ${args}` });

function input(events: ServerEvent[], extra: Partial<JudgeInput> = {}): JudgeInput {
  return {
    events,
    job: { host: 'localhost', timeoutMs: 5000, requireTls: true } as JudgeInput['job'],
    outcome: { exitCode: 0, signal: null, hung: false, durationMs: 5, stdout: '', stderr: '', droppedBytes: 0 },
    output: null,
    ...extra,
  };
}
const check = (e: unknown, i: JudgeInput) => evaluate(ExpectationSchema.parse(e), i);

describe('expectations', () => {
  const session = [
    cmd('EHLO', 'plaintext', 'c'),
    cmd('STARTTLS', 'plaintext'),
    ev('tls-established', { version: 'TLSv1.3' }),
    cmd('EHLO', 'tls', 'c'),
    cmd('AUTH', 'tls', 'PLAIN AGFsaWNl'),
  ];

  it('order: met in order, unmet with the event that came too early named', () => {
    expect(check({ order: ['tls-established', { type: 'command', verb: 'AUTH' }] }, input(session)).met).toBe(true);
    const wrong = check({ order: [{ type: 'command', verb: 'AUTH' }, 'tls-established'] }, input(session));
    expect(wrong.met).toBe(false);
    expect(wrong.reason).toMatch(/tls-established happened \(event #\d+\) but not after command\(verb=AUTH\)/);
  });

  it('matchers take regular expressions and lists', () => {
    expect(check({ never: { type: 'command', verb: 'AUTH', args: { re: '^LOGIN' } } }, input(session)).met).toBe(true);
    const plain = check({ never: { type: 'command', verb: 'AUTH', args: { re: '^PLAIN' } } }, input(session));
    expect(plain).toMatchObject({ met: false, reason: expect.stringMatching(/args=\/\^PLAIN\//) });
    expect(
      check({ event: { type: 'command', verb: { in: ['HELO', 'EHLO'] }, layer: 'tls' } }, input(session)).met,
    ).toBe(true);
  });

  it('firstAfter: the first command inside TLS must be EHLO', () => {
    const e = { firstAfter: { after: 'tls-established', next: { type: 'command', verb: 'EHLO' } } };
    expect(check(e, input(session)).met).toBe(true);
    const skipped = [cmd('STARTTLS', 'plaintext'), ev('tls-established'), cmd('MAIL', 'tls', 'FROM:<a@b>')];
    expect(check(e, input(skipped))).toMatchObject({
      met: false,
      reason: expect.stringMatching(/not command\(verb=EHLO\)/),
    });
    const noTls = [cmd('STARTTLS', 'plaintext')];
    expect(check(e, input(noTls)).met).toBe(false);
    expect(check({ firstAfter: { ...e.firstAfter, required: false } }, input(noTls)).met).toBe(true);
  });

  it('count bounds how often something happens', () => {
    expect(check({ count: { of: { type: 'command', verb: 'EHLO' }, min: 2, max: 2 } }, input(session)).met).toBe(true);
    expect(check({ count: { of: 'tls-established', max: 0 } }, input(session)).met).toBe(false);
  });

  it('outcome: hung is neither success nor failure', () => {
    const hung = input([], {
      outcome: { exitCode: null, signal: null, hung: true, durationMs: 9, stdout: '', stderr: '', droppedBytes: 0 },
    });
    expect(check({ outcome: 'success' }, hung).met).toBe(false);
    expect(check({ outcome: 'failure' }, hung).met).toBe(false);
  });

  it('output: byte for byte, and says where it differs', () => {
    const served = Buffer.from('abcdef');
    expect(check({ output: 'served' }, input([], { output: Buffer.from('abcdef'), expectedOutput: served })).met).toBe(
      true,
    );
    expect(
      check({ output: 'served' }, input([], { output: Buffer.from('abXdef'), expectedOutput: served })).reason,
    ).toMatch(/from byte 2/);
    expect(check({ output: 'served' }, input([], { output: null, expectedOutput: served })).reason).toMatch(
      /no output file/,
    );
  });

  it('output: FTP text (a listing, TYPE A) matches with CRLF or LF line ends, but not with other bytes changed', () => {
    const served = Buffer.from('-rw-r--r-- 1 a b 5 file.txt\r\ndrwxr-xr-x 2 a b 0 dir\r\n');
    const job = {
      host: 'localhost',
      timeoutMs: 5000,
      requireTls: true,
      protocol: 'ftps',
      action: 'list',
      ftpType: '',
    } as unknown as JudgeInput['job'];
    const asReceived = check({ output: 'served' }, input([], { job, output: served, expectedOutput: served }));
    const local = check(
      { output: 'served' },
      input([], { job, output: Buffer.from(served.toString().replace(/\r\n/g, '\n')), expectedOutput: served }),
    );
    const changed = check(
      { output: 'served' },
      input([], { job, output: Buffer.from(served.toString().replace('file', 'fIle')), expectedOutput: served }),
    );
    expect([asReceived.met, local.met, changed.met]).toEqual([true, true, false]);
    const binary = { ...job, action: 'download', ftpType: 'I' } as JudgeInput['job'];
    expect(
      check(
        { output: 'served' },
        input([], {
          job: binary,
          output: Buffer.from(served.toString().replace(/\r\n/g, '\n')),
          expectedOutput: served,
        }),
      ).met,
    ).toBe(false);
  });

  it('neverPrinted: a raw escape in stderr or stdout is found and shown; an escaped rendering is not', () => {
    const out = (stdout: string, stderr: string) =>
      input([], {
        outcome: { exitCode: 1, signal: null, hung: false, durationMs: 5, stdout, stderr, droppedBytes: 0 },
      });
    const raw = check({ neverPrinted: '\\x1b' }, out('', 'the server greeted with -ERR \x1b[31mPOP3\x1b[0m ready'));
    expect(raw.met).toBe(false);
    expect(raw.reason).toMatch(/its stderr has/);
    expect(check({ neverPrinted: '\\x1b' }, out('\x1b[0m', '')).reason).toMatch(/its stdout has/);
    expect(check({ neverPrinted: '\\x1b' }, out('', 'the server greeted with -ERR \\x1b[31mPOP3')).met).toBe(true);
  });

  it('printed: found in stderr or stdout, missed when in neither', () => {
    const out = (stdout: string, stderr: string) =>
      input([], {
        outcome: { exitCode: 0, signal: null, hung: false, durationMs: 5, stdout, stderr, droppedBytes: 0 },
      });
    expect(check({ printed: 'ALERT inside' }, out('', 'server alert: [ALERT] ALERT inside TLS')).met).toBe(true);
    expect(check({ printed: 'ALERT inside' }, out('ALERT inside TLS', '')).met).toBe(true);
    const missed = check({ printed: 'ALERT inside' }, out('done', 'nothing shown'));
    expect(missed.met).toBe(false);
    expect(missed.reason).toMatch(/neither its stdout nor its stderr/);
  });

  it('clientHello: weak suites and downgrade retries are named', () => {
    const hello = (versions: string[], cipherNames: string[]) =>
      ev('client-hello', { sni: 'localhost', alpn: [], versions, ciphers: [], cipherNames });
    const weak = input([hello(['TLSv1.3', 'TLSv1.2'], ['TLS_AES_128_GCM_SHA256', 'TLS_RSA_WITH_RC4_128_SHA'])]);
    expect(check({ clientHello: { noCiphers: ['RC4'] } }, weak).reason).toMatch(
      /TLS_RSA_WITH_RC4_128_SHA: RC4 is prohibited/,
    );
    const retry = input([hello(['TLSv1.3', 'TLSv1.2'], []), hello(['TLSv1'], [])]);
    expect(check({ clientHello: { noVersionDowngrade: true } }, retry).reason).toMatch(/downgrade retry/);
    expect(check({ clientHello: { sni: 'host' } }, retry).met).toBe(true);
  });
});
