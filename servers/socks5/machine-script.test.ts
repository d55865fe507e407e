/** The SOCKS5 machine under a script: a rule holds its stage, and the machine goes on as the rule ended. */
import { describe, expect, it } from 'vitest';
import { createSocks5Machine } from './machine.js';
import { Socks5OptionsSchema } from './options.js';
import { Socks5Rules } from './script.js';

const h = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
function machine(options: Record<string, unknown>) {
  const parsed = Socks5OptionsSchema.parse(options);
  return createSocks5Machine(parsed, new Socks5Rules(parsed.script));
}
const verbs = (o: { events: Array<{ type: string; fields: unknown }> }): string[] =>
  o.events.map((e) =>
    e.type === 'command'
      ? (e.fields as { verb: string }).verb
      : e.type === 'reply'
        ? `< ${(e.fields as { code: string }).code}`
        : e.type,
  );
const REQUEST = h('05 01 00 01 7f000001 0050');

describe('a rule holding a stage', () => {
  it('holds the greeting: nothing written, what follows kept until the rule is done, then read', () => {
    const m = machine({ script: [{ on: 'greeting', do: [{ hex: '05 00' }] }] });
    const o = m.push(h('050100'));
    expect(o.scripted).toEqual({ stage: 'greeting', rule: 0 });
    expect(o.writes).toEqual([]);
    expect(verbs(o)).toEqual(['GREETING']);
    // The request arrives while the rule runs: kept.
    expect(verbs(m.push(REQUEST))).toEqual([]);
    const next = m.resume({ normal: false, wrote: h('0500') });
    expect(next.connect).toMatchObject({ command: 'connect', addr: '127.0.0.1', port: 80 });
    expect(verbs(next)).toEqual(['CONNECT']);
  });

  it("follows its scripted selection: X'02' leads to the sub-negotiation, anything else (even X'FF') to the request", () => {
    const m = machine({ script: [{ on: 'greeting', do: [{ hex: '05 02' }] }] });
    m.push(h('050100'));
    m.resume({ normal: false, wrote: h('0502') });
    expect(verbs(m.push(h('01 01 61 01 62')))).toEqual(['AUTH', 'credentials', '< auth=01']);
    const refused = machine({ script: [{ on: 'greeting', do: [{ hex: '05 ff' }] }] });
    refused.push(h('050100'));
    refused.resume({ normal: false, wrote: h('05ff') });
    expect(refused.push(REQUEST).connect).toBeDefined();
  });

  it('gives the proxy’s own answer for `normal`, and its own way on after it (a failed login closes)', () => {
    const m = machine({ methods: ['username-password'], script: [{ on: 'auth', do: ['normal'] }] });
    m.push(h('050102'));
    expect(m.push(h('01 01 61 01 62')).scripted).toEqual({ stage: 'auth', rule: 0 });
    const own = m.ownAnswer();
    expect(Buffer.concat(own.writes).toString('hex')).toBe('0101');
    expect(verbs(own)).toEqual(['< auth=01']);
    expect(m.resume({ normal: true, wrote: h('0101') }).close).toBe(true);
  });

  it('ends as the rule ended: a stall keeps silent, a close records what was left unread', () => {
    const stalled = machine({ script: [{ on: 'greeting', do: ['stall'] }] });
    stalled.push(h('050100'));
    stalled.resume({ normal: false, wrote: h(''), ending: 'stall' });
    expect(stalled.push(REQUEST)).toMatchObject({ events: [], writes: [] });
    const closed = machine({ script: [{ on: 'greeting', do: ['close'] }] });
    closed.push(Buffer.concat([h('050100'), REQUEST]));
    expect(verbs(closed.resume({ normal: false, wrote: h(''), ending: 'close' }))).toEqual(['UNPARSED']);
  });

  it('holds a request until the rule is done, then opens the tunnel anyway; bytes sent before its reply are early', () => {
    const m = machine({ script: [{ on: { request: { command: 'connect' } }, do: [{ reply: { rep: 1 } }] }] });
    m.push(h('050100'));
    const o = m.push(REQUEST);
    expect(o.scripted).toMatchObject({ stage: 'request', rule: 0, request: { command: 'connect', port: 80 } });
    expect(o.connect).toBeUndefined();
    m.push(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    expect(verbs({ events: m.beforeReply() })).toEqual(['EARLY-DATA']);
    expect(m.beforeReply()).toEqual([]);
    const tunnel = m.proceed({ ok: true, boundPort: 1 });
    expect(tunnel.tunnel?.forward.toString()).toBe('GET / HTTP/1.1\r\n\r\n');
    expect(tunnel.events).toEqual([]);
  });

  it('gives its own reply to a request the rule carried out, and closes when it could not be', () => {
    const m = machine({ script: [{ on: 'request', do: ['normal'] }] });
    m.push(Buffer.concat([h('050100'), REQUEST]));
    expect(Buffer.concat(m.ownReply({ ok: true, boundPort: 0x438 }).writes).toString('hex')).toBe(
      '050000017f0000010438',
    );
    expect(Buffer.concat(m.ownReply({ ok: false, rep: 5 }).writes).toString('hex')).toBe('05050001000000000000');
    expect(m.proceed({ ok: false, rep: 5 }).close).toBe(true);
  });

  it('holds BIND’s second reply; the tunnel opens when the rule is done', () => {
    const m = machine({ command: 'bind', script: [{ on: 'bind-peer', do: ['hold', 'normal'] }] });
    m.push(Buffer.concat([h('050100'), h('05 02 00 01 7f000001 0000')]));
    m.connected({ ok: true, boundPort: 9 });
    const o = m.peerConnected({ addr: '127.0.0.1', port: 7 });
    expect(o.scripted).toEqual({ stage: 'bind-peer', rule: 0, peer: { addr: '127.0.0.1', port: 7 } });
    expect(Buffer.concat(m.ownAnswer().writes).toString('hex')).toBe('050000017f0000010007');
    expect(m.resume({ normal: true, wrote: h('') }).tunnel).toBeDefined();
  });

  it('lets a connect rule go before the greeting', () => {
    const m = machine({ script: [{ on: 'connect', do: [{ hex: '05 00' }] }] });
    expect(m.accepted().scripted).toEqual({ stage: 'connect', rule: 0 });
    expect(m.push(h('050100')).writes).toEqual([]);
    expect(Buffer.concat(m.resume({ normal: false, wrote: h('0500') }).writes).toString('hex')).toBe('0500');
  });
});
