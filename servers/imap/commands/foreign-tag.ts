/**
 * Tag confusion: a tagged OK for a tag the client never sent, ahead of the
 * server's own answer in the same write. RFC 9051 §2.2.2: the completion "is
 * tagged with the same tag as the client command that began the operation",
 * so only a client that ignores tags takes it for the end of its command.
 */
import type { MachineOutput, RecordedEvent } from '../../shared/line-session.js';
import type { ForeignTagStep } from '../faults.js';
import { faultEvent, prepend, writeAhead, type ImapContext } from '../session.js';

const WORDS: Record<ForeignTagStep, string> = {
  capability: 'CAPABILITY',
  login: 'LOGIN',
  select: 'SELECT',
  fetch: 'FETCH',
};

/** The server's answer at `step`, with the foreign completion ahead of it when the fault is set there. */
export function foreignTag(ctx: ImapContext, step: ForeignTagStep, out: MachineOutput): MachineOutput {
  const fault = ctx.fault('foreign-tag');
  if (!fault || fault.at !== step || out.stall || out.write === undefined) return out;
  const text = `${WORDS[step]} completed.`;
  // The foreign completion is a response on the wire like any other: recorded as one, ahead of the server's own.
  const reply: RecordedEvent = { type: 'reply', fields: { layer: ctx.state.layer, code: 'OK', text } };
  return prepend([faultEvent(fault), reply], writeAhead(`${fault.tag} OK ${text}\r\n`, out));
}
