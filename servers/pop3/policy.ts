/**
 * What the server offers and accepts at a given moment: the capabilities of
 * the current layer, STLS, and plaintext login. CAPA and dispatch both ask
 * here, so they agree unless a fault says otherwise.
 */
import { DEFAULT_CAPABILITIES, LOGIN_CAPABILITIES, type CapabilityName, type Keyword } from './capabilities.js';
import type { Pop3Context } from './session.js';

/**
 * The lure is on: the session is in plaintext and a fault stands for a man in
 * the middle keeping it there (STLS hidden or refused, CAPA refused before
 * TLS). That attacker writes the plaintext CAPA itself and offers what lures
 * a password out of a client: USER and SASL PLAIN, then takes any login
 * (RFC 2595 §2.3 is why a client must refuse), whatever the case's
 * capabilities and TLS mode.
 */
export function lure(ctx: Pop3Context): boolean {
  if (ctx.state.layer !== 'plaintext') return false;
  const capaError = ctx.fault('capa-error');
  return (
    ctx.fault('stls-not-advertised') !== undefined ||
    ctx.fault('stls-refused') !== undefined ||
    (capaError !== undefined && capaError.stage !== 'after-tls')
  );
}

/** The capabilities switched on in the current layer (options.capabilities.before / after, or Dovecot's), with the lure's. */
export function enabledCapabilities(ctx: Pop3Context): readonly CapabilityName[] {
  const { options, state } = ctx;
  const configured = state.layer === 'plaintext' ? options.capabilities.before : options.capabilities.after;
  if (lure(ctx))
    return DEFAULT_CAPABILITIES.filter(
      (c) => (configured ?? DEFAULT_CAPABILITIES).includes(c) || LOGIN_CAPABILITIES.includes(c),
    );
  if (configured) return configured;
  if (!loginAllowed(ctx)) return DEFAULT_CAPABILITIES.filter((c) => !LOGIN_CAPABILITIES.includes(c));
  return DEFAULT_CAPABILITIES;
}

/** RFC 2595 §4: STLS is offered in plaintext AUTHORIZATION when the server does TLS by upgrade. */
function stlsOffered(ctx: Pop3Context): boolean {
  const { options, state } = ctx;
  return (
    !state.tlsDone && state.phase === 'authorization' && (options.tls === 'stls' || options.tls === 'stls-required')
  );
}

/** STLS appears in CAPA: when offered and not hidden by a fault, or re-advertised inside TLS by one. */
export function stlsAdvertised(ctx: Pop3Context): boolean {
  if (ctx.state.tlsDone) return ctx.fault('stls-readvertised') !== undefined;
  return stlsOffered(ctx) && ctx.fault('stls-not-advertised') === undefined;
}

/** STLS works when sent: when offered, unless hidden and refused by a fault. */
export function stlsAccepted(ctx: Pop3Context): boolean {
  const hidden = ctx.fault('stls-not-advertised');
  return stlsOffered(ctx) && (!hidden || hidden.accepted);
}

/** Dovecot's disable_plaintext_auth: with `stls-required`, no login before TLS (unless the lure is on). */
export function loginAllowed(ctx: Pop3Context): boolean {
  return ctx.state.tlsDone || ctx.options.tls !== 'stls-required' || lure(ctx);
}

/** Whether a capability's commands are accepted now. */
export function accepts(ctx: Pop3Context, keyword: Keyword): boolean {
  if (keyword === 'STLS') return true; // STLS answers for itself (RFC 2595 §4 replies), see commands/session.ts
  return enabledCapabilities(ctx).includes(keyword);
}

export function advertises(ctx: Pop3Context, keyword: Keyword): boolean {
  return keyword === 'STLS' ? stlsAdvertised(ctx) : enabledCapabilities(ctx).includes(keyword);
}
