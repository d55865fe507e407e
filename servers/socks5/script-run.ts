/**
 * Carries out one SOCKS5 rule at its stage: records the rule's `fault` event
 * (the judge's proof the client got there), then its actions in order, through
 * what the stage gives it (where bytes go, what the proxy's own answer is).
 * The shell calls it; what the machine does next depends on how it ended.
 */
import type { RecordedEvent } from '../shared/events.js';
import { faultEventOf } from '../shared/fault-kit.js';
import { bytesOf, ruleName } from '../shared/script/schema.js';
import type { OwnAnswer, RuleDone } from './machine.js';
import { explainSocks5Rule } from './script-explain.js';
import { recordOf, type DatagramFields, type ReplyFields, type Socks5Script, type Socks5Stage } from './script.js';

/** What a stage gives a rule to act with. */
export interface StageIO {
  stage: Socks5Stage;
  record(e: RecordedEvent): void;
  /** Bytes to the client, after everything written before; resolves once written. */
  write(bytes: Buffer): Promise<void>;
  /** Bytes kept back, to leave in one write with the proxy's next bytes. */
  hold(bytes: Buffer): void;
  /** The proxy's own answer here (at `request`, the request is carried out first). */
  own(): Promise<OwnAnswer>;
  /** A reply from fields over the proxy's own (`request`, `bind-peer`). */
  reply?(fields: ReplyFields): Promise<Buffer>;
  /** A datagram to the client (`datagram`). */
  datagram?(fields: DatagramFields): Promise<void>;
  /** The connection is gone: the rule stops there. */
  gone(): boolean;
}

export interface RuleRun extends RuleDone {
  /** A trickle still on at the end (the tunnel goes on at that pace). */
  trickleMs: number;
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms).unref());

export async function runRule(script: Socks5Script, index: number, io: StageIO): Promise<RuleRun> {
  const rule = script[index]!;
  io.record(faultEventOf(ruleName(index), explainSocks5Rule(rule, index)));
  const wrote: Buffer[] = [];
  let normal = false;
  let trickleMs = 0;
  let holding = false;
  let trickled = false;
  const result = (ending?: RuleDone['ending']): RuleRun => ({
    normal,
    wrote: Buffer.concat(wrote),
    trickleMs,
    ...(ending ? { ending } : {}),
  });
  const write = async (bytes: Buffer): Promise<void> => {
    wrote.push(bytes);
    if (holding) return io.hold(bytes);
    if (!trickleMs) return io.write(bytes);
    for (const byte of bytes) {
      // Between bytes, not after the last: what follows the rule comes at once.
      if (trickled) await sleep(trickleMs);
      if (io.gone()) return;
      trickled = true;
      await io.write(Buffer.from([byte]));
    }
  };
  const scripted = async (bytes: Buffer): Promise<void> => {
    const e = recordOf(io.stage, bytes);
    if (e) io.record(e);
    await write(bytes);
  };
  for (const action of rule.do) {
    if (io.gone()) return result('close');
    if (action === 'stall' || action === 'close' || action === 'reset') return result(action);
    if (action === 'hold') holding = true;
    else if (action === 'normal' || (typeof action === 'object' && 'normal' in action)) {
      const own = await io.own();
      normal = true;
      for (const e of own.events) io.record(e);
      const bytes = Buffer.concat(own.writes);
      const cut = action === 'normal' ? undefined : action.normal.cut;
      if (bytes.length) await write(cut === undefined ? bytes : bytes.subarray(0, Math.floor(bytes.length * cut)));
    } else if ('send' in action || 'hex' in action) await scripted(bytesOf(action));
    else if ('reply' in action) await scripted(await io.reply!(action.reply));
    else if ('datagram' in action) await io.datagram!(action.datagram);
    else if ('delay' in action) await sleep(action.delay);
    else trickleMs = action.trickle;
  }
  return result();
}
