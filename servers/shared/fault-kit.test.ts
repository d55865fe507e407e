import { describe, expect, it } from 'vitest';
import { faultKit, findFault, prepend } from './fault-kit.js';
import type { RecordedEvent } from './events.js';

type Fault = { kind: 'stall'; at: 'greeting' | 'login' } | { kind: 'refuse'; text: string };
const kit = faultKit((f: Fault) => (f.kind === 'stall' ? `goes silent at the ${f.at}` : `refuses with "${f.text}"`));
const faults: Fault[] = [
  { kind: 'refuse', text: 'no' },
  { kind: 'stall', at: 'login' },
];

describe('fault kit', () => {
  it('finds a fault by kind, typed as that kind, or nothing', () => {
    expect(findFault(faults, 'refuse')?.text).toBe('no');
    expect(findFault([] as Fault[], 'refuse')).toBeUndefined();
    expect(kit.has(faults, 'stall')).toBe(true);
  });

  it('records a carried-out fault with its explanation, ahead of the output it shaped', () => {
    const reply: RecordedEvent = { type: 'connect', fields: { remote: '127.0.0.1:5' } };
    const out = prepend([kit.event(faults[0]!)], { write: 'NO\r\n', record: [reply] });
    expect(out.record?.map((e) => e.type)).toEqual(['fault', 'connect']);
    expect(out.record?.[0]!.fields).toEqual({ name: 'refuse', explain: 'refuses with "no"' });
  });

  it('stalls only at its step, recording why, with an optional last write', () => {
    expect(kit.stallAt(faults, 'greeting')).toBeUndefined();
    const stall = kit.stallAt(faults, 'login')!;
    expect(kit.stall(stall, '+ go ahead\r\n')).toEqual({
      stall: true,
      write: '+ go ahead\r\n',
      record: [{ type: 'fault', fields: { name: 'stall', explain: 'goes silent at the login' } }],
    });
  });
});
