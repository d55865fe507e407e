/** The FTP machine's man-in-the-middle lure after a refused AUTH TLS, injection behind the refusal, anonymous FTP and CCC. */
import { describe, expect, it } from 'vitest';
import { createFtpMachine } from './machine.js';
import { FtpsOptionsSchema } from './options.js';
import { VirtualTree } from './tree.js';
import type { FtpOutput } from './session.js';

const machine = (server: Record<string, unknown> = {}) =>
  createFtpMachine(FtpsOptionsSchema.parse(server), new VirtualTree());
const text = (out: { write?: string | Buffer }) => String(out.write ?? '');
const events = (out: FtpOutput, type: string) => (out.record ?? []).filter((e) => e.type === type);

describe('ftps machine: the lure after a refused AUTH TLS', () => {
  it('answers USER with 331 and any PASS with 230, even where logins before TLS are refused, and records the password as plaintext credentials', () => {
    const m = machine({ tls: 'explicit-required', faults: [{ kind: 'auth-refused' }] });
    m.start();
    const refusal = m.line('AUTH TLS');
    expect(text(refusal)).toMatch(/^534 /);
    expect(events(refusal, 'fault')).toHaveLength(1);
    expect(text(m.line('USER someone-else'))).toMatch(/^331 /);
    const pass = m.line('PASS not-the-account-password');
    expect(text(pass)).toMatch(/^230 /);
    expect(events(pass, 'credentials')).toEqual([
      { type: 'credentials', fields: { layer: 'plaintext', mechanism: 'USER/PASS', user: 'someone-else' } },
    ]);
    expect(JSON.stringify(pass.record)).not.toContain('not-the-account-password');
  });

  it('without the fault, a server that requires TLS still refuses USER in clear', () => {
    const m = machine({ tls: 'explicit-required' });
    m.start();
    expect(text(m.line('USER conform'))).toMatch(/^530 /);
  });

  it('refuses with 500 or 502 as a stripped AUTH: FEAT offers no AUTH, PBSZ or PROT', () => {
    for (const code of ['500', '502']) {
      const m = machine({ faults: [{ kind: 'auth-refused', code }] });
      m.start();
      const feat = text(m.line('FEAT'));
      expect(feat).not.toMatch(/AUTH|PBSZ|PROT/);
      expect(text(m.line('AUTH TLS'))).toMatch(new RegExp(`^${code} `));
    }
    const kept = machine({ faults: [{ kind: 'auth-refused', code: '504' }] });
    kept.start();
    expect(text(kept.line('FEAT'))).toContain(' AUTH TLS');
  });

  it('writes the injected bytes behind the first refusal only, in the same write, and watches for a ClientHello', () => {
    const m = machine({ faults: [{ kind: 'auth-refused', code: '504', inject: '234 AUTH TLS OK.\r\n' }] });
    m.start();
    const first = m.line('AUTH TLS');
    expect(text(first)).toBe('504 AUTH TLS not available.\r\n234 AUTH TLS OK.\r\n');
    expect(first.watchHello).toBe(true);
    expect(first.upgrade).toBeUndefined();
    const second = m.line('AUTH SSL');
    expect(text(second)).toBe('504 AUTH TLS not available.\r\n');
    expect(second.watchHello).toBeUndefined();
  });
});

describe('ftps machine: anonymous FTP (RFC 1635)', () => {
  it('logs anonymous in with any password when enabled, recording no credentials', () => {
    const m = machine({ anonymous: true, tls: 'explicit-required' });
    m.start();
    expect(text(m.line('USER anonymous'))).toMatch(/^331 /);
    const pass = m.line('PASS someone@example.org');
    expect(text(pass)).toMatch(/^230 /);
    expect(events(pass, 'credentials')).toEqual([]);
  });

  it('refuses anonymous when not enabled', () => {
    const m = machine();
    m.start();
    m.line('USER anonymous');
    expect(text(m.line('PASS guest'))).toMatch(/^530 /);
  });
});

describe('ftps machine: CCC (RFC 4217 §5)', () => {
  function protectedSession(server: Record<string, unknown> = { transfer: { ccc: true } }) {
    const m = machine(server);
    m.start();
    m.line('AUTH TLS');
    m.upgraded();
    m.line('USER conform');
    m.line('PASS conform-ftp-secret');
    m.line('PBSZ 0');
    expect(text(m.line('PROT P'))).toMatch(/^200 /);
    return m;
  }

  it('is refused with 500 by default, as vsftpd, and accepted when the job asks for it', () => {
    expect(text(protectedSession({}).line('CCC'))).toMatch(/^500 /);
    expect(text(protectedSession({ ccc: 'accepted' }).line('CCC'))).toMatch(/^200 /);
    expect(text(protectedSession({ transfer: { ccc: true }, ccc: 'refused' }).line('CCC'))).toMatch(/^500 /);
  });

  it('answers 533 on a control connection not protected by TLS', () => {
    const m = machine({ transfer: { ccc: true } });
    m.start();
    expect(text(m.line('CCC'))).toMatch(/^533 /);
  });

  it('answers 200 inside TLS and asks the shell to clear; then plaintext, PROT frozen, data still protected', () => {
    const m = protectedSession();
    const ccc = m.line('CCC');
    expect(ccc.clear).toBe(true);
    expect(events(ccc, 'reply')[0]).toMatchObject({ fields: { layer: 'tls', code: '200' } });
    expect(m.cleared(true).record).toEqual([{ type: 'tls-cleared', fields: { closeNotify: true } }]);
    expect(events(m.line('NOOP'), 'command')[0]).toMatchObject({ fields: { layer: 'plaintext', verb: 'NOOP' } });
    expect(text(m.line('PROT C'))).toMatch(/^534 /);
    expect(text(m.line('PBSZ 0'))).toMatch(/^534 /);
    m.line('EPSV');
    m.passiveReady('EPSV', '127.0.0.1', 5000);
    expect(m.line('RETR /pub/binary.bin').data).toMatchObject({ op: 'transfer', transfer: { protect: true } });
  });

  it('accepts CCC before login, and the credentials that follow are recorded as plaintext', () => {
    const m = machine({ transfer: { ccc: true } });
    m.start();
    m.line('AUTH TLS');
    m.upgraded();
    expect(m.line('CCC').clear).toBe(true);
    m.cleared(false);
    m.line('USER conform');
    expect(events(m.line('PASS conform-ftp-secret'), 'credentials')[0]).toMatchObject({
      fields: { layer: 'plaintext' },
    });
  });
});
