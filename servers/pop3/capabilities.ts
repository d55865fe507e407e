/**
 * The CAPA keywords this server knows (RFC 2449 §6, RFC 5034 §3, RFC 2595 §4).
 * Most belong to commands of the registry (TOP, UIDL, USER, SASL, STLS), which
 * gives their CAPA lines; three name a behaviour of the server instead.
 */
export const CAPABILITY_NAMES = ['TOP', 'UIDL', 'RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE', 'USER', 'SASL'] as const;

/** A capability a case can switch on or off (STLS is decided by the TLS mode and faults). */
export type CapabilityName = (typeof CAPABILITY_NAMES)[number];
export type Keyword = CapabilityName | 'STLS';

/** The order CAPA lists keywords in: Dovecot's (src/pop3-login/client.c). */
export const CAPA_ORDER: readonly Keyword[] = [
  'TOP',
  'UIDL',
  'RESP-CODES',
  'PIPELINING',
  'AUTH-RESP-CODE',
  'STLS',
  'USER',
  'SASL',
];

/**
 * Capabilities that are behaviours, not commands: RFC 2449 §6.6 PIPELINING
 * (the server reads commands one line at a time, so pipelining just works),
 * §6.4 RESP-CODES and RFC 3206 AUTH-RESP-CODE (replies carry [CODE]s).
 */
export const BEHAVIOURS: readonly CapabilityName[] = ['RESP-CODES', 'PIPELINING', 'AUTH-RESP-CODE'];

/** Dovecot's default list; every capability is on. */
export const DEFAULT_CAPABILITIES: readonly CapabilityName[] = CAPABILITY_NAMES;

/** The login capabilities, which Dovecot hides before TLS when plaintext authentication is disabled. */
export const LOGIN_CAPABILITIES: readonly CapabilityName[] = ['USER', 'SASL'];
