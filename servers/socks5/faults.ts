import { z } from 'zod';

/**
 * Scripted misbehaviour of the SOCKS5 proxy, as data. The definition (what the
 * fault is) lives here; the machine carries it out and records that it did.
 */
export const Socks5FaultSchema = z.discriminatedUnion('kind', [
  /** RFC 1928 §3: X'FF' NO ACCEPTABLE METHODS, whatever the client offered. */
  z.object({ kind: z.literal('select-no-acceptable') }).strict(),
  /** Selects a method the client did not offer (the first of 0x02, 0x00, 0x01, 0x80 absent from its greeting). */
  z.object({ kind: z.literal('select-unoffered') }).strict(),
  /** RFC 1929 §2: a failure status for valid credentials. */
  z.object({ kind: z.literal('auth-failure') }).strict(),
  /** The reply to the request (CONNECT, BIND's first, UDP ASSOCIATE) carries this REP code (RFC 1928 §6), while the proxy goes on anyway. */
  z.object({ kind: z.literal('reply-code'), code: z.number().int().min(1).max(255) }).strict(),
  /** The CONNECT reply's VER byte is this instead of 5; the tunnel is opened anyway. */
  z.object({ kind: z.literal('reply-version'), version: z.number().int().min(0).max(255).default(4) }).strict(),
  /** The reply's ATYP is undefined (0x05 …), with four address bytes; the tunnel is opened anyway. */
  z.object({ kind: z.literal('reply-bad-atyp'), atyp: z.number().int().min(5).max(255).default(5) }).strict(),
  /** The reply's RSV byte is not zero. */
  z.object({ kind: z.literal('reply-reserved'), value: z.number().int().min(1).max(255).default(0x80) }).strict(),
  /** BND.ADDR in the CONNECT reply as a domain name or an IPv6 address (valid, RFC 1928 §6). */
  z.object({ kind: z.literal('bnd-addr'), atyp: z.enum(['domain', 'ipv6']) }).strict(),
  /** Every server message (method selection, auth status, reply) written one byte per write. */
  z.object({ kind: z.literal('split-replies') }).strict(),
  /** Only the first `bytes` bytes of the CONNECT reply are written, then the server closes. */
  z.object({ kind: z.literal('truncate-reply'), bytes: z.number().int().min(1).max(9).default(5) }).strict(),
  /** The proxy waits this long before carrying out the request and replying (bytes the client sends meanwhile are recorded as EARLY-DATA). */
  z.object({ kind: z.literal('reply-delay'), ms: z.number().int().min(1).max(5000).default(300) }).strict(),
  /** The server goes silent (keeping the connection open) after this step; after `bind` the peer never connects, so no second reply comes. */
  z.object({ kind: z.literal('stall'), after: z.enum(['accept', 'greeting', 'auth', 'request', 'bind']) }).strict(),
  /** BIND's second reply carries this REP code, and the peer's bytes are relayed anyway. */
  z.object({ kind: z.literal('bind-second-reply'), code: z.number().int().min(1).max(255).default(5) }).strict(),
  /** BIND's second reply and the peer's first bytes leave in one write (one TCP segment). */
  z.object({ kind: z.literal('bind-reply-with-data') }).strict(),
  /** Before the real reply datagram, the relay sends a fragment (FRAG=1) carrying a decoy (RFC 1928 §7). */
  z.object({ kind: z.literal('udp-fragment-first') }).strict(),
  /** Before the real reply datagram, a decoy with a well-formed header arrives from another UDP port than the relay's. */
  z.object({ kind: z.literal('udp-stranger-first') }).strict(),
  /** Before the real reply datagram, the relay sends a decoy whose header has an undefined ATYP. */
  z.object({ kind: z.literal('udp-bad-atyp-first') }).strict(),
  /** The tunnel is closed after this many bytes from the target reached the client. */
  z.object({ kind: z.literal('tunnel-close-early'), bytes: z.number().int().min(0).default(512) }).strict(),
]);

export type Socks5Fault = z.infer<typeof Socks5FaultSchema>;
export type Socks5FaultKind = Socks5Fault['kind'];

const hex = (n: number): string => n.toString(16).padStart(2, '0');

/** One sentence per fault, used in reports. */
export function explainSocks5Fault(fault: Socks5Fault): string {
  switch (fault.kind) {
    case 'select-no-acceptable':
      return "the proxy answers the greeting with X'FF' (no acceptable methods) and keeps listening";
    case 'select-unoffered':
      return 'the proxy selects an authentication method the client did not offer';
    case 'auth-failure':
      return 'the proxy answers valid username/password credentials with a failure status and keeps listening';
    case 'reply-code':
      return `the proxy replies X'${hex(fault.code)}' to the request, yet goes on anyway`;
    case 'reply-version':
      return `the proxy's reply to the request carries version ${fault.version} instead of 5, and it goes on anyway`;
    case 'reply-bad-atyp':
      return `the proxy's reply to the request carries the undefined address type X'${hex(fault.atyp)}', and it goes on anyway`;
    case 'reply-reserved':
      return `the proxy's reply to the request carries X'${hex(fault.value)}' in the reserved byte`;
    case 'bnd-addr':
      return `the proxy's reply to the request gives BND.ADDR as ${fault.atyp === 'domain' ? 'a domain name' : 'an IPv6 address'} (valid, but less common)`;
    case 'split-replies':
      return 'the proxy writes each of its messages one byte at a time';
    case 'truncate-reply':
      return `the proxy writes only the first ${fault.bytes} bytes of its reply to the request, then closes`;
    case 'stall':
      return fault.after === 'bind'
        ? 'after the first reply to BIND the peer never connects, so the second reply never comes'
        : `the proxy goes silent after ${fault.after === 'accept' ? 'accepting the connection' : `the ${fault.after}`} and never answers`;
    case 'reply-delay':
      return `the proxy waits ${fault.ms} ms before it answers the request`;
    case 'bind-second-reply':
      return `the second reply to BIND carries X'${hex(fault.code)}', yet the peer's bytes are relayed anyway`;
    case 'bind-reply-with-data':
      return "the second reply to BIND and the peer's first bytes arrive in one write";
    case 'udp-fragment-first':
      return 'before the real reply datagram the relay sends a fragment (FRAG=1) carrying a decoy';
    case 'udp-stranger-first':
      return "before the real reply datagram a decoy with a well-formed header arrives from a UDP port that is not the relay's";
    case 'udp-bad-atyp-first':
      return 'before the real reply datagram the relay sends a decoy whose header has an undefined address type';
    case 'tunnel-close-early':
      return `the proxy closes the tunnel after ${fault.bytes} bytes from the target`;
  }
}
