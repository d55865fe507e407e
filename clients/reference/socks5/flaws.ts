import type { FlawTable } from '../flaw-types.js';

/** Flaws of the reference client's SOCKS5 side: each breaks one rule of RFC 1928 / RFC 1929. */
export const SOCKS5_FLAWS = {
  'socks5-ignore-ff': { explain: "goes on with its request after the proxy answered X'FF' (no acceptable methods)" },
  'socks5-accept-unoffered-method': {
    explain: 'goes on with whatever method the proxy selects, even one it never offered',
  },
  'socks5-offer-auth-without-credentials': {
    explain: "offers username/password (X'02') even when it has no credentials",
  },
  'socks5-auth-version-5': { explain: 'sends version 5 instead of 1 in the RFC 1929 sub-negotiation' },
  'socks5-ignore-auth-failure': { explain: 'sends its request after a failed RFC 1929 authentication' },
  'socks5-resolve-locally': { explain: 'resolves the target name itself even for socks5h:// (remote resolution)' },
  'socks5-remote-resolve': { explain: 'sends the target name (ATYP 3) even for socks5://, where it must resolve it' },
  'socks5-ignore-reply-code': { explain: 'treats any reply code as success and uses the tunnel' },
  'socks5-accept-bad-version': { explain: "does not check the version byte of the proxy's method selection and reply" },
  'socks5-lenient-atyp': { explain: 'reads an undefined reply ATYP as if it were IPv4 instead of failing' },
  'socks5-fixed-reply-length': { explain: 'reads a 10-byte reply whatever its ATYP (IPv4 BND.ADDR assumed)' },
  'socks5-single-read': { explain: 'expects each proxy message in a single read, so split messages break it' },
  'socks5-ignore-eof': { explain: 'keeps waiting for the rest of a proxy message after the proxy closed' },
  'socks5-sni-proxy-host': {
    explain: "uses the proxy host (CONFORM_HOST) as the TLS name instead of the target URL's host",
  },
  'socks5-optimistic-data': {
    explain: 'sends its HTTP request right behind the CONNECT request, before the proxy replied',
  },
  'socks5-bind-one-reply': {
    explain: "treats the first reply to BIND as the peer's connection instead of waiting for the second",
  },
  'socks5-udp-no-header': { explain: 'sends its datagram to the relay without the RFC 1928 §7 header' },
  'socks5-udp-ignore-frag': {
    explain: "takes a datagram whose FRAG is not X'00' as a whole answer instead of dropping it",
  },
  'socks5-udp-any-source': { explain: 'accepts answer datagrams from any address, not only from the relay' },
  'socks5-udp-close-control': {
    explain: 'closes the TCP connection right after the UDP ASSOCIATE reply, which ends the association',
  },
  'socks5-udp-undeclared-source': {
    explain: 'declares one UDP port in its UDP ASSOCIATE request and sends from another',
  },
  'socks5-wrap-user-length': {
    explain:
      'writes ULEN modulo 256 instead of refusing a user name over 255 bytes (256 goes out as 0, then all 256 bytes)',
  },
  'socks5-truncate-host': {
    explain: 'cuts a target name over 255 bytes to its first 255 and sends that, instead of refusing it',
  },
  'socks5-limit-254': {
    explain: 'takes 254 bytes as the longest user name and target name, refusing the 255 a length octet allows',
  },
} as const satisfies FlawTable;
