/**
 * The capability list for the current layer and state (RFC 9051 §7.2.2), in
 * Dovecot's order, and the faults that shape it: recorded when a client is
 * shown the list they shaped.
 */
import type { RecordedEvent } from '../shared/line-session.js';
import { CAPABILITY_ORDER, REVISIONS } from './capabilities.js';
import { advertises, type ListPlace } from './policy.js';
import { faultEvent, type ImapContext } from './session.js';

/** The capability names listed here, now. */
export function capabilityList(ctx: ImapContext, place: ListPlace): string[] {
  const names = CAPABILITY_ORDER.filter((k) => advertises(ctx, k, place));
  // A list always names a revision (RFC 9051 §7.2.2): a case that leaves both out still gets IMAP4rev1.
  return names.some((n) => (REVISIONS as readonly string[]).includes(n)) ? names : ['IMAP4rev1', ...names];
}

/** What a login's tagged OK lists (RFC 9051 §6.2.3 lets it): the list less what only a login needed. */
export function loggedInList(ctx: ImapContext): string[] {
  return capabilityList(ctx, 'capability').filter((n) => !/^(STARTTLS|LOGINDISABLED|SASL-IR|AUTH=)/.test(n));
}

/** The faults a list carries out by what it leaves out or adds, recorded as the client is shown it. */
export function listFaults(ctx: ImapContext, names: readonly string[], place: ListPlace): RecordedEvent[] {
  const events: RecordedEvent[] = [];
  const { state } = ctx;
  const stripped = ctx.fault('starttls-stripped');
  const hidden = ctx.fault('starttls-hidden');
  const offeredHere =
    !state.tlsDone &&
    state.state === 'not-authenticated' &&
    (ctx.options.tls === 'starttls' || ctx.options.tls === 'starttls-required');
  if (offeredHere && stripped && !names.includes('STARTTLS')) events.push(faultEvent(stripped));
  // Hidden in the CAPABILITY response, or shown (or not) in the greeting: either is the fault acting.
  else if (offeredHere && hidden && (place === 'greeting' || !names.includes('STARTTLS')))
    events.push(faultEvent(hidden));
  const again = ctx.fault('starttls-readvertised');
  if (again && state.tlsDone && names.includes('STARTTLS')) events.push(faultEvent(again));
  const ignored = ctx.fault('logindisabled-ignored');
  if (ignored && names.includes('LOGINDISABLED')) events.push(faultEvent(ignored));
  return events;
}
