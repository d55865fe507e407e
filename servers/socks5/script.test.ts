/** SOCKS5 scripts as data: what the schema takes and refuses, how rules match, explain themselves, and build replies. */
import { describe, expect, it } from 'vitest';
import { explainSocks5Rule } from './script-explain.js';
import { recordOf, replyOf, Socks5Rules, Socks5ScriptSchema } from './script.js';

const parse = (rules: unknown[]) => Socks5ScriptSchema.safeParse(rules);
const problems = (rules: unknown[]): string[] =>
  parse(rules).error?.issues.map((i) => `${i.path.join('.')}: ${i.message}`) ?? [];

describe('the SOCKS5 script schema', () => {
  it('takes raw bytes, the proxy’s own answer cut short, fields, decoys and tunnel points', () => {
    expect(
      problems([
        { on: 'greeting', do: [{ hex: '04 00' }] },
        { on: 'auth', do: [{ send: '\\x01\\x01' }, 'close'] },
        { on: { request: { command: ['connect', 'bind'] } }, do: [{ trickle: 50 }, { normal: { cut: 0.5 } }, 'close'] },
        { on: 'bind-peer', do: ['hold', { reply: { rep: 5, addr: '::1', port: 1 } }] },
        { on: 'datagram', do: [{ datagram: { frag: 1, from: 'stranger' } }, { delay: 30 }, 'normal'], times: 2 },
        { on: { tunnel: { after: 1024 } }, do: ['reset'] },
        { on: 'connect', do: [{ hex: '05 00' }, { delay: 10 }] },
      ]),
    ).toEqual([]);
  });

  it('refuses an action where its stage has no meaning for it, and anything after an ending, at the action', () => {
    expect(
      problems([
        { on: 'greeting', do: [{ reply: { rep: 1 } }] },
        { on: 'connect', do: ['normal'] },
        { on: 'datagram', do: ['stall'] },
        { on: 'tunnel', do: [{ normal: { cut: 0.5 } }] },
        { on: 'request', do: ['close', { hex: '05' }] },
      ]),
    ).toEqual([
      "0.do.0: 'reply' has no meaning on 'greeting'",
      "1.do.0: 'normal' has no meaning on 'connect'",
      "2.do.0: 'stall' has no meaning on 'datagram'",
      '3.do.0: the tunnel has no answer of its own to cut',
      "4.do.1: nothing follows 'close'",
    ]);
  });

  it('refuses malformed fields: odd hex, a byte over 255, a line-protocol edit', () => {
    expect(parse([{ on: 'greeting', do: [{ hex: '050' }] }]).success).toBe(false);
    expect(parse([{ on: 'request', do: [{ reply: { rep: 256 } }] }]).success).toBe(false);
    expect(parse([{ on: 'request', do: [{ normal: { drop: '^X' } }] }]).success).toBe(false);
    expect(parse([{ on: { request: { command: 'conect' } }, do: ['normal'] }]).success).toBe(false);
  });
});

describe('matching', () => {
  const rules = new Socks5Rules(
    Socks5ScriptSchema.parse([
      { on: { request: { command: 'bind' } }, do: ['stall'] },
      { on: 'request', do: ['normal'], times: 2 },
      { on: { tunnel: { after: 10 } }, do: ['close'] },
      { on: 'tunnel', do: ['normal'] },
    ]),
  );

  it('takes the first rule not yet spent whose stage (and command) it is, up to `times`', () => {
    expect(rules.match({ stage: 'request', command: 'connect' })).toBe(1);
    expect(rules.match({ stage: 'request', command: 'bind' })).toBe(0);
    expect(rules.match({ stage: 'request', command: 'bind' })).toBe(1);
    expect(rules.match({ stage: 'request', command: 'connect' })).toBeUndefined();
    expect(rules.match({ stage: 'greeting' })).toBeUndefined();
  });

  it('orders the tunnel points by the bytes they wait for', () => {
    expect(rules.tunnelPoints()).toEqual([
      { index: 3, after: 0 },
      { index: 2, after: 10 },
    ]);
  });
});

describe('explain', () => {
  it('says each rule in one sentence, with what the proxy does after it', () => {
    const [a, b, c] = Socks5ScriptSchema.parse([
      { on: 'greeting', do: [{ hex: '04 00' }] },
      { on: { request: { command: 'bind' } }, do: [{ reply: { rep: 1, ver: 4 } }] },
      { on: { tunnel: { after: 1024 } }, do: ['close'], optional: true },
    ]);
    expect(explainSocks5Rule(a!, 0)).toBe(
      "rule 1: on the client's greeting, the proxy sends the bytes 04 00 (then it reads on: the sub-negotiation if it selected X'02', else a request)",
    );
    expect(explainSocks5Rule(b!, 1)).toBe(
      "rule 2: on a BIND request, the proxy replies with VER 4, REP X'01' (then it carries out the request anyway: the tunnel, BIND listener or UDP relay)",
    );
    expect(explainSocks5Rule(c!, 2)).toBe(
      'rule 3: once 1024 bytes from the target crossed the tunnel (if the client gets there), the proxy closes the connection',
    );
  });
});

describe('bytes', () => {
  it('builds a reply from fields over the proxy’s own, the ATYP byte overriding the address’s', () => {
    const base = { rep: 0, addr: '127.0.0.1', port: 1080 };
    expect(replyOf({}, base).toString('hex')).toBe('050000017f0000010438');
    expect(replyOf({ rep: 1, ver: 4, rsv: 0x80 }, base).toString('hex')).toBe('040180017f0000010438');
    expect(replyOf({ atyp: 5 }, base).toString('hex')).toBe('050000057f0000010438');
    expect(replyOf({ addr: 'a.b', port: 0 }, base).toString('hex')).toBe('0500000303612e620000');
  });

  it('records scripted bytes as the stage’s answer: METHOD, status, REP', () => {
    expect(recordOf('greeting', Buffer.from('04ff', 'hex'))).toMatchObject({
      type: 'reply',
      fields: { code: 'method=ff' },
    });
    expect(recordOf('auth', Buffer.from('0101', 'hex'))).toMatchObject({ fields: { code: 'auth=01' } });
    expect(recordOf('request', Buffer.from('0402', 'hex'))).toMatchObject({
      fields: { code: '02', text: expect.stringMatching(/not allowed by ruleset \(version 4\)/) },
    });
    expect(recordOf('request', Buffer.from('05', 'hex'))).toMatchObject({ fields: { code: 'partial' } });
    expect(recordOf('tunnel', Buffer.from('0500', 'hex'))).toBeUndefined();
  });
});
