/** A wait that begins after the job's deadline passed ends too (abort.ts). */
import { describe, expect, it } from 'vitest';
import { whenAborted } from './abort.js';

describe('whenAborted', () => {
  it('runs the handler when the signal aborts, once, and not after stop()', () => {
    const controller = new AbortController();
    let calls = 0;
    whenAborted(controller.signal, () => calls++);
    const stopped = new AbortController();
    whenAborted(stopped.signal, () => calls++)();
    controller.abort();
    controller.abort();
    stopped.abort();
    expect(calls).toBe(1);
  });

  it('runs it in a microtask when the signal had aborted already, unless stopped first', async () => {
    const calls: string[] = [];
    whenAborted(AbortSignal.abort(), () => calls.push('late'));
    whenAborted(AbortSignal.abort(), () => calls.push('stopped'))();
    expect(calls).toEqual([]); // not during the call: the caller's own set-up comes first
    await Promise.resolve();
    expect(calls).toEqual(['late']);
  });
});
