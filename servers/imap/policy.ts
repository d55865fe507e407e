/**
 * What the server offers and accepts at a given moment: the capabilities of
 * the current layer, STARTTLS, and login. The capability lists and dispatch
 * both ask here, so they agree unless a fault says otherwise.
 */
import { DEFAULT_CAPABILITIES, type CapabilityName, type Keyword } from './capabilities.js';
import type { ImapContext } from './session.js';

/**
 * The lure is on: the session is in plaintext and a fault stands for a man in
 * the middle keeping it there (STARTTLS stripped or refused). That attacker
 * writes the plaintext capability list itself and offers what lures a password
 * out of a client: AUTH=PLAIN and no LOGINDISABLED, then takes any login
 * (RFC 2595 §2.3 is why a client must refuse), whatever the case's
 * capabilities and TLS mode.
 */
export function lure(ctx: ImapContext): boolean {
  return (
    ctx.state.layer === 'plaintext' &&
    (ctx.fault('starttls-stripped') !== undefined || ctx.fault('starttls-refused') !== undefined)
  );
}

/** The capabilities switched on in the current layer (options.capabilities.before / after, or the defaults), with the lure's. */
export function enabledCapabilities(ctx: ImapContext): readonly CapabilityName[] {
  const { options, state } = ctx;
  const configured = state.layer === 'plaintext' ? options.capabilities.before : options.capabilities.after;
  const base = configured ?? DEFAULT_CAPABILITIES;
  if (lure(ctx))
    return [
      ...base.filter((c) => c !== 'LOGINDISABLED'),
      ...(base.includes('AUTH=PLAIN') ? [] : ['AUTH=PLAIN' as const]),
    ];
  if (configured) return configured;
  // Dovecot's disable_plaintext_auth: LOGINDISABLED and no mechanism before TLS (RFC 9051 §6.2.3).
  if (!plaintextLoginAllowed(ctx)) return [...DEFAULT_CAPABILITIES.filter((c) => c !== 'AUTH=PLAIN'), 'LOGINDISABLED'];
  return DEFAULT_CAPABILITIES;
}

/** RFC 9051 §6.2.1: STARTTLS is offered on a cleartext port, before TLS and before authentication. */
export function starttlsOffered(ctx: ImapContext): boolean {
  const { options, state } = ctx;
  return (
    !state.tlsDone &&
    state.state === 'not-authenticated' &&
    (options.tls === 'starttls' || options.tls === 'starttls-required')
  );
}

/** Where a capability list is being written: the greeting's code, or a CAPABILITY response (or a login's code). */
export type ListPlace = 'greeting' | 'capability';

/** STARTTLS appears in this list: when offered and not stripped or hidden there, or re-advertised inside TLS by a fault. */
export function starttlsAdvertised(ctx: ImapContext, place: ListPlace): boolean {
  if (ctx.state.tlsDone)
    return ctx.fault('starttls-readvertised') !== undefined && ctx.state.state === 'not-authenticated';
  if (!starttlsOffered(ctx) || ctx.fault('starttls-stripped')) return false;
  const hidden = ctx.fault('starttls-hidden');
  return !hidden || (hidden.where === 'greeting-only' && place === 'greeting');
}

/** STARTTLS works when sent: when offered, unless stripped and refused by a fault. */
export function starttlsAccepted(ctx: ImapContext): boolean {
  const stripped = ctx.fault('starttls-stripped');
  return starttlsOffered(ctx) && (!stripped || stripped.accepted);
}

/** Dovecot's disable_plaintext_auth: with `starttls-required`, no login of any kind before TLS (unless the lure is on). */
export function plaintextLoginAllowed(ctx: ImapContext): boolean {
  return ctx.state.tlsDone || ctx.options.tls !== 'starttls-required' || lure(ctx);
}

/**
 * RFC 9051 §7.2.2: LOGINDISABLED means the server "will respond with a tagged
 * NO response to any attempt to use the LOGIN command"; the
 * logindisabled-ignored fault takes the LOGIN anyway.
 */
export function loginCommandAllowed(ctx: ImapContext): boolean {
  if (ctx.fault('logindisabled-ignored')) return true;
  return plaintextLoginAllowed(ctx) && !enabledCapabilities(ctx).includes('LOGINDISABLED');
}

/** Whether a capability's commands (or mechanism) are accepted now. */
export function accepts(ctx: ImapContext, keyword: CapabilityName): boolean {
  return enabledCapabilities(ctx).includes(keyword);
}

export function advertises(ctx: ImapContext, keyword: Keyword, place: ListPlace): boolean {
  return keyword === 'STARTTLS' ? starttlsAdvertised(ctx, place) : enabledCapabilities(ctx).includes(keyword);
}
