/** The verdict: a pass needs the point under test reached; 89 excuses only what was not done. Fed recorded-shape events. */
import { describe, expect, it } from 'vitest';
import type { ServerEvent } from '../../servers/shared/events.js';
import type { Case } from '../suite/case.js';
import { ExpectationSchema } from '../suite/expectations-schema.js';
import { judge, type JudgeInput } from './judge.js';

let seq = 0;
const ev = (type: string, fields: Record<string, unknown> = {}): ServerEvent =>
  ({ seq: seq++, t: seq, server: 'smtp', conn: 1, type, ...fields }) as unknown as ServerEvent;

function kase(extra: Partial<Case> = {}): Case {
  return {
    id: 'smtp.starttls.refused-454',
    title: 't',
    level: 'must',
    refs: ['RFC 3207 §4'],
    protocol: 'smtp',
    server: { faults: [{ kind: 'refuse-starttls' }] },
    job: {} as Case['job'],
    expect: [
      ExpectationSchema.parse({ outcome: 'failure' }),
      ExpectationSchema.parse({ never: { type: 'command', verb: 'MAIL' } }),
    ],
    allow: [],
    source: { file: 'x.yaml', line: 1 },
    ...extra,
  };
}

function input(events: ServerEvent[], exitCode = 1): JudgeInput {
  return {
    events,
    job: {
      protocol: 'smtp',
      host: 'localhost',
      tls: 'explicit',
      url: 'smtp://localhost:1',
      timeoutMs: 5000,
      requireTls: true,
    } as JudgeInput['job'],
    outcome: { exitCode, signal: null, hung: false, durationMs: 5, stdout: '', stderr: '', droppedBytes: 0 },
    output: null,
  };
}

const refused = (): ServerEvent[] => [
  ev('connect'),
  ev('command', { verb: 'STARTTLS', layer: 'plaintext' }),
  ev('fault', { name: 'refuse-starttls' }),
];

describe('judge', () => {
  it('passes a refusal only once the scripted fault fired, and says what was never reached', () => {
    expect(judge(kase(), input(refused())).status).toBe('pass');
    const never = judge(kase(), input([]));
    expect(never).toMatchObject({
      status: 'fail',
      reason: 'the client never reached the scripted misbehaviour (refuse-starttls) (no connection)',
    });
    expect(judge(kase(), input([ev('connect')])).reason).toMatch(/\(the fault refuse-starttls never fired\)$/);
    expect(never.checks.map((k) => k.expectation)).toContain(
      'the client reaches the scripted misbehaviour (refuse-starttls)',
    );
  });

  it('asks a ClientHello of a TLS case without faults', () => {
    const cert = kase({ server: {}, id: 'smtp.certificate.expired' });
    expect(judge(cert, input([ev('connect')])).reason).toBe(
      'the client never reached its TLS handshake (connected, but sent no ClientHello)',
    );
    expect(judge(cert, input([ev('connect'), ev('client-hello')])).status).toBe('pass');
  });

  it('skips an 89 that broke nothing, and fails one that broke a prohibition first', () => {
    expect(judge(kase(), input(refused(), 89)).status).toBe('skip');
    const mailed = judge(kase(), input([...refused(), ev('command', { verb: 'MAIL', layer: 'plaintext' })], 89));
    expect(mailed.status).toBe('fail');
  });

  it('reports a client that never connected as inconclusive where the case says so', () => {
    const early = kase({ reach: { events: ['connect'], unreached: 'skip' }, server: {} });
    expect(judge(early, input([])).status).toBe('skip');
    expect(judge(early, input([])).reason).toMatch(/^inconclusive: /);
  });

  it('skips a connected client that never met a point it need not meet (not-applicable), and only then', () => {
    const retry = kase({
      reach: { events: [{ type: 'fault', name: 'hello-retry' }], unreached: 'not-applicable' },
      server: {},
      expect: [],
    });
    const connected = [ev('connect'), ev('client-hello'), ev('tls-established')];
    expect(judge(retry, input(connected, 0))).toMatchObject({
      status: 'skip',
      reason: expect.stringMatching(/^not applicable to this client: /),
    });
    expect(judge(retry, input([...connected, ev('fault', { name: 'hello-retry' })], 0)).status).toBe('pass');
    expect(judge(kase({ ...retry, reach: { ...retry.reach, unreached: 'skip' } }), input(connected, 0)).status).toBe(
      'fail',
    );
  });

  it('fails plaintext after a ClientHello, whatever else the client did', () => {
    const events = [...refused(), ev('client-hello'), ev('plaintext-after-hello', { preview: 'MAIL FROM:<a>' })];
    expect(judge(kase(), input(events)).reason).toMatch(/plaintext after its ClientHello/);
  });
});

describe('scripted cases', () => {
  const scripted = (script: unknown[]) => kase({ server: { faults: [], script } });
  const fired = (n: number): ServerEvent => ev('fault', { name: `script-rule-${n}` });

  it('need every rule fired, and name the one that never matched', () => {
    const c = scripted([
      { on: { command: 'STARTTLS' }, do: [{ reply: '221 Bye' }] },
      { on: { command: ['PASV', 'EPSV'] }, do: ['stall'] },
    ]);
    expect(judge(c, input([ev('connect'), fired(1)])).reason).toBe(
      'the client never reached the scripted misbehaviour (2 script rules) (rule 2 never matched: on PASV or EPSV, the server goes silent)',
    );
    expect(judge(c, input([ev('connect'), fired(1), fired(2)])).status).toBe('pass');
  });

  it('do not need an optional rule fired', () => {
    const c = scripted([
      { on: { command: 'STARTTLS' }, do: [{ reply: '221 Bye' }] },
      { on: { command: 'HELO' }, do: [{ reply: '500 no' }], optional: true },
    ]);
    expect(judge(c, input([ev('connect'), fired(1)])).status).toBe('pass');
  });
});
