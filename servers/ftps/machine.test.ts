import { describe, expect, it } from 'vitest';
import { createFtpMachine } from './machine.js';
import { FtpsOptionsSchema } from './options.js';
import { resolvePath, VirtualTree } from './tree.js';
import { parseEprt, parsePort } from './commands/data.js';

const machine = (server: Record<string, unknown> = {}) =>
  createFtpMachine(FtpsOptionsSchema.parse(server), new VirtualTree());
const text = (out: { write?: string | Buffer }) => String(out.write ?? '');

function loggedIn(server: Record<string, unknown> = {}) {
  const m = machine(server);
  m.start();
  m.line('AUTH TLS');
  m.upgraded();
  m.line('USER conform');
  expect(text(m.line('PASS conform-ftp-secret'))).toMatch(/^230 /);
  return m;
}

describe('ftps machine', () => {
  it('greets with 220 and upgrades on AUTH TLS and on AUTH SSL', () => {
    for (const mech of ['TLS', 'SSL']) {
      const m = machine();
      expect(text(m.start())).toMatch(/^220 /);
      const out = m.line(`AUTH ${mech}`);
      expect(text(out)).toMatch(/^234 /);
      expect(out.upgrade).toBeDefined();
    }
  });

  it('refuses USER before AUTH TLS when TLS is required', () => {
    const m = machine({ tls: 'explicit-required' });
    m.start();
    expect(text(m.line('USER conform'))).toMatch(/^530 /);
  });

  it('never records the password', () => {
    const m = machine();
    m.start();
    m.line('USER conform');
    const out = m.line('PASS conform-ftp-secret');
    expect(JSON.stringify(out.record)).not.toContain('conform-ftp-secret');
    expect(out.record?.some((e) => e.type === 'credentials' && e.fields.layer === 'plaintext')).toBe(true);
  });

  it('requires PBSZ before PROT, and PROT P before RETR (521)', () => {
    const m = loggedIn();
    expect(text(m.line('PROT P'))).toMatch(/^503 /);
    expect(text(m.line('EPSV'))).toBe('');
    m.passiveReady('EPSV', '127.0.0.1', 5000);
    expect(text(m.line('RETR /pub/binary.bin'))).toMatch(/^521 /);
    expect(text(m.line('PBSZ 0'))).toMatch(/^200 PBSZ=0/);
    expect(text(m.line('PROT P'))).toMatch(/^200 /);
    const out = m.line('RETR /pub/binary.bin');
    expect(text(out)).toMatch(/^150 /);
    expect(out.data).toMatchObject({ op: 'transfer', transfer: { protect: true } });
  });

  it('answers PASV with the listener it is told of, and EPSV in RFC 2428 form', () => {
    const m = loggedIn();
    expect(m.line('PASV').data).toEqual({ op: 'listen', command: 'PASV' });
    expect(text(m.passiveReady('PASV', '127.0.0.1', 0x1234))).toContain('(127,0,0,1,18,52)');
    expect(text(m.passiveReady('EPSV', '127.0.0.1', 4660))).toContain('(|||4660|)');
  });

  it('refuses TYPE E with 504 and converts TYPE A downloads to CRLF', () => {
    const m = loggedIn({ protP: 'optional' });
    expect(text(m.line('TYPE E'))).toMatch(/^504 /);
    m.line('TYPE A');
    m.line('PORT 127,0,0,1,4,1');
    const out = m.line('RETR /pub/text.txt');
    const sent = out.data?.op === 'transfer' ? out.data.transfer.send! : Buffer.alloc(0);
    expect(sent.toString()).toMatch(/^line 1: [^\n]*\r\nline 2/);
  });

  it('refuses PORT to a non-loopback address (FTP bounce)', () => {
    const m = loggedIn();
    expect(text(m.line('PORT 10,0,0,1,4,1'))).toMatch(/^500 /);
    expect(parsePort('127,0,0,1,4,1')).toEqual({ host: '127.0.0.1', port: 1025 });
    expect(parseEprt('|1|127.0.0.1|2000|')).toEqual({ host: '127.0.0.1', port: 2000 });
    expect(parseEprt('|2|::1|2000|')).toBeUndefined();
  });

  it('after EPSV ALL accepts EPSV only (RFC 2428 §4), and EPSV for IPv4 alone', () => {
    const m = loggedIn();
    expect(text(m.line('EPSV 2'))).toMatch(/^522 /);
    expect(m.line('EPSV 1').data).toEqual({ op: 'listen', command: 'EPSV' });
    expect(text(m.line('PASV'))).not.toMatch(/^501 /);
    expect(text(m.line('EPSV ALL'))).toMatch(/^200 /);
    for (const line of ['PASV', 'PORT 127,0,0,1,4,1', 'EPRT |1|127.0.0.1|2000|'])
      expect(text(m.line(line))).toMatch(/^501 .*EPSV ALL/);
    expect(m.line('EPSV').data).toEqual({ op: 'listen', command: 'EPSV' });
  });

  it('with the missing-150 fault, asks for the transfer without a preliminary reply', () => {
    const m = loggedIn({ faults: [{ kind: 'missing-150' }] });
    m.line('PBSZ 0');
    m.line('PROT P');
    m.line('EPSV');
    m.passiveReady('EPSV', '127.0.0.1', 5000);
    const out = m.line('RETR /pub/binary.bin');
    expect(out.write).toBeUndefined();
    expect(out.data).toMatchObject({ op: 'transfer' });
    expect(out.record?.some((e) => e.type === 'fault' && e.fields.name === 'missing-150')).toBe(true);
    expect(text(m.transferred({ ok: true }))).toMatch(/^226 /);
  });

  it('builds FEAT from the registry', () => {
    const m = machine({ dataCommands: ['PASV'] });
    m.start();
    const feat = text(m.line('FEAT'));
    expect(feat).toContain(' AUTH TLS');
    expect(feat).toContain(' PBSZ');
    expect(feat).not.toContain('EPSV');
  });
});

describe('ftps virtual tree', () => {
  it('never lets a path escape the root', () => {
    expect(resolvePath('/pub', '../../../../etc/passwd')).toBe('/etc/passwd');
    expect(resolvePath('/', '/pub/../..//binary.bin')).toBe('/binary.bin');
    expect(resolvePath('/pub', 'a\0b')).toBeUndefined();
    const tree = new VirtualTree();
    expect(tree.file('/etc/passwd')).toBeUndefined();
    expect(tree.file(resolvePath('/pub', '../pub/./binary.bin')!)?.length).toBe(1024);
  });

  it('refuses uploads outside /upload and RETR of host files', () => {
    const m = loggedIn({ protP: 'optional' });
    m.line('PASV');
    expect(text(m.line('STOR ../../tmp/x'))).toMatch(/^553 /);
    expect(text(m.line('RETR ../../../etc/passwd'))).toMatch(/^550 /);
  });
});
