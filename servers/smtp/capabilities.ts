/**
 * EHLO keywords (RFC 5321 §4.1.1.1): what each one says, and whether it is
 * advertised and accepted in the current layer. The EHLO reply is built from
 * here and the dispatcher refuses commands from here, so advertising and
 * accepting can only drift apart through a named fault.
 */
import type { SmtpFaultKind } from './faults.js';
import { findFault } from '../shared/fault-kit.js';
import type { AuthMechanism, Capability } from './options.js';
import type { Session } from './session.js';

/**
 * Faults that stand for a man in the middle keeping the session in plaintext
 * (RFC 3207 §6: stripping "250 STARTTLS" or altering the reply to STARTTLS).
 * Such an attacker writes the plaintext capabilities itself, and offers what
 * lures a password out of a client: AUTH PLAIN and LOGIN.
 */
const LURE_FAULTS: readonly SmtpFaultKind[] = ['strip-starttls', 'hide-starttls', 'refuse-starttls', 'refuse-ehlo'];
const LURE_MECHANISMS: readonly AuthMechanism[] = ['PLAIN', 'LOGIN'];

/**
 * The lure is on: in plaintext, with one of those faults, AUTH PLAIN LOGIN is
 * advertised (where there is an EHLO reply) and accepted, and nothing waits
 * for TLS, whatever the case's own AUTH settings and the job's credentials.
 */
export function lure(s: Session): boolean {
  return s.layer === 'plaintext' && LURE_FAULTS.some((kind) => s.fault(kind) !== undefined);
}

/** The keyword line of each capability, when it exists at all in this configuration. */
const KEYWORDS: Record<Capability, (s: Session) => string | undefined> = {
  PIPELINING: () => 'PIPELINING',
  SIZE: (s) => `SIZE ${s.options.maxMessageBytes}`,
  STARTTLS: (s) => (s.options.tls === 'starttls' || s.options.tls === 'starttls-required' ? 'STARTTLS' : undefined),
  AUTH: (s) => (mechanisms(s).length ? `AUTH ${mechanisms(s).join(' ')}` : undefined),
  ENHANCEDSTATUSCODES: () => 'ENHANCEDSTATUSCODES',
  '8BITMIME': () => '8BITMIME',
};

/** SASL mechanisms offered in the current layer. */
export function mechanisms(s: Session): readonly string[] {
  if (lure(s)) return LURE_MECHANISMS;
  const { auth } = s.options;
  return s.layer === 'plaintext' ? (auth.beforeTls ?? auth.mechanisms) : auth.mechanisms;
}

function listed(s: Session, cap: Capability): boolean {
  const list = s.layer === 'tls' ? s.options.capabilities.after : s.options.capabilities.before;
  return list.includes(cap);
}

/** The EHLO reply lists it. */
export function advertised(s: Session, cap: Capability): boolean {
  if (cap === 'STARTTLS') {
    if (!KEYWORDS.STARTTLS(s)) return false;
    // RFC 3207 §4.2: never after TLS, unless the starttls-after-tls fault says so.
    if (s.layer === 'tls') return findFault(s.options.faults, 'starttls-after-tls') !== undefined;
    return listed(s, cap) && !s.fault('hide-starttls') && !s.fault('strip-starttls');
  }
  if (cap === 'AUTH' && lure(s)) return true;
  return listed(s, cap) && KEYWORDS[cap](s) !== undefined;
}

/** The command that needs it is served (its handler runs) rather than refused. */
export function accepted(s: Session, cap: Capability): boolean {
  if (cap === 'STARTTLS') {
    if (!KEYWORDS.STARTTLS(s)) return false;
    // Inside TLS the handler answers "TLS already active", as Postfix does.
    if (s.layer === 'tls') return true;
    if (s.fault('strip-starttls')) return false;
    return listed(s, cap) || s.fault('hide-starttls') !== undefined;
  }
  return advertised(s, cap);
}

/** The lines of the EHLO reply after the first: every advertised keyword, in a stable order. */
export function ehloKeywords(s: Session): string[] {
  const order: Capability[] = ['PIPELINING', 'SIZE', 'STARTTLS', 'AUTH', 'ENHANCEDSTATUSCODES', '8BITMIME'];
  return order.filter((cap) => advertised(s, cap)).map((cap) => KEYWORDS[cap](s)!);
}
