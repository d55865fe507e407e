/**
 * What every protocol does with its named faults (servers/<p>/faults.ts): find
 * the case's fault of a kind, record it when it is carried out (a `fault`
 * event that explains it, ahead of the bytes it caused), go silent at a step.
 * Each protocol binds the kit to its own fault union once (`faultKit(explain)`).
 */
import type { RecordedEvent } from './events.js';

interface Fault {
  kind: string;
}
/** A fault that stalls at a named step (`{ kind: stall, at: … }`). */
type StallFault = { kind: 'stall'; at: string };

/** The first fault of a kind in a case's list, typed as that kind. */
export function findFault<F extends Fault, K extends F['kind']>(
  faults: readonly F[],
  kind: K,
): Extract<F, { kind: K }> | undefined {
  return faults.find((f): f is Extract<F, { kind: K }> => f.kind === kind);
}

/** The event recording that a fault was carried out (reports explain it). */
export function faultEventOf(name: string, explain: string): RecordedEvent {
  return { type: 'fault', fields: { name, explain } };
}

/** Events recorded ahead of an output's own (a fault before the reply it shaped). */
export function prepend<O extends { record?: RecordedEvent[] }>(events: readonly RecordedEvent[], out: O): O {
  return { ...out, record: [...events, ...(out.record ?? [])] };
}

/** A protocol's kit: the helpers above bound to its fault union and its explain(). */
export function faultKit<F extends Fault>(explain: (fault: F) => string) {
  const event = (fault: F): RecordedEvent => faultEventOf(fault.kind, explain(fault));
  return {
    find: <K extends F['kind']>(faults: readonly F[], kind: K) => findFault(faults, kind),
    has: (faults: readonly F[], kind: F['kind']): boolean => faults.some((f) => f.kind === kind),
    event,
    /** The stall fault, when it is set for this step. */
    stallAt: (faults: readonly F[], step: string): F | undefined => {
      const stall = faults.find((f) => f.kind === 'stall') as (F & StallFault) | undefined;
      return stall?.at === step ? stall : undefined;
    },
    /** Goes silent for good, recording why; `write` goes out first (a reply the fault leaves in place). */
    stall: (fault: F, write?: string | Buffer): { stall: true; record: RecordedEvent[]; write?: string | Buffer } => ({
      stall: true,
      record: [event(fault)],
      ...(write !== undefined ? { write } : {}),
    }),
    prepend,
  };
}
