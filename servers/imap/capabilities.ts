/**
 * The capability names this server knows (RFC 9051 §7.2.2, RFC 3501 §7.2.1).
 * Three belong to commands of the registry (ID, ENABLE, UNSELECT), which
 * accept them only while advertised; the others name a behaviour: a protocol
 * revision, a login rule, a SASL mechanism, a literal syntax. STARTTLS is
 * decided by the TLS mode and faults, never listed by a case.
 */
export const CAPABILITY_NAMES = [
  'IMAP4rev1',
  'IMAP4rev2',
  'SASL-IR',
  'ID',
  'ENABLE',
  'LITERAL+',
  'UNSELECT',
  'LOGINDISABLED',
  'AUTH=PLAIN',
] as const;

/** A capability a case can switch on or off. */
export type CapabilityName = (typeof CAPABILITY_NAMES)[number];
export type Keyword = CapabilityName | 'STARTTLS';

/** The order CAPABILITY lists them in: Dovecot's (src/imap-login/imap-login-client.c). */
export const CAPABILITY_ORDER: readonly Keyword[] = [
  'IMAP4rev1',
  'IMAP4rev2',
  'SASL-IR',
  'ID',
  'ENABLE',
  'LITERAL+',
  'UNSELECT',
  'STARTTLS',
  'LOGINDISABLED',
  'AUTH=PLAIN',
];

/**
 * The default list, Dovecot's less what this server does not implement
 * (LOGIN-REFERRALS, IDLE): IMAP4rev1, SASL-IR (RFC 4959), ID (RFC 2971),
 * ENABLE (RFC 5161), LITERAL+ (RFC 7888), UNSELECT (RFC 3691) and AUTH=PLAIN
 * (RFC 9051 §7.2.2: "Client and server implementations MUST implement the
 * capabilities AUTH=PLAIN"). IMAP4rev2 is a case's choice.
 */
export const DEFAULT_CAPABILITIES: readonly CapabilityName[] = [
  'IMAP4rev1',
  'SASL-IR',
  'ID',
  'ENABLE',
  'LITERAL+',
  'UNSELECT',
  'AUTH=PLAIN',
];

/** What a login needs: the PLAIN mechanism, and the absence of LOGINDISABLED. */
export const LOGIN_CAPABILITIES: readonly CapabilityName[] = ['AUTH=PLAIN', 'SASL-IR', 'LOGINDISABLED'];

/** The protocol revisions: one of them is always listed (RFC 9051 §7.2.2). */
export const REVISIONS: readonly CapabilityName[] = ['IMAP4rev1', 'IMAP4rev2'];
