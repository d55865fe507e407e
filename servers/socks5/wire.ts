/**
 * SOCKS5 wire details shared by the proxy's machine and shell: names of the
 * codes (RFC 1928 §4–§6) and the encoding of addresses.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** RFC 1928 §4: the commands, by code. */
export const COMMAND_NAMES: Record<number, string> = { 1: 'CONNECT', 2: 'BIND', 3: 'UDP-ASSOCIATE' };

/** RFC 1928 §5: address types, by code. */
export const ATYP_NAMES: Record<number, 'ipv4' | 'domain' | 'ipv6'> = { 1: 'ipv4', 3: 'domain', 4: 'ipv6' };

/** RFC 1928 §6: reply codes. */
export const REPLY_TEXT: Record<number, string> = {
  0: 'succeeded',
  1: 'general SOCKS server failure',
  2: 'connection not allowed by ruleset',
  3: 'network unreachable',
  4: 'host unreachable',
  5: 'connection refused',
  6: 'TTL expired',
  7: 'command not supported',
  8: 'address type not supported',
};

export const hex = (n: number): string => n.toString(16).padStart(2, '0');

/** The ATYP byte and address bytes of an IPv4/IPv6 literal or a domain name (≤ 255 bytes). */
export function encodeAddress(addr: string): Buffer {
  if (isIPv4(addr)) return Buffer.from([1, ...addr.split('.').map(Number)]);
  if (isIPv6(addr)) return Buffer.concat([Buffer.from([4]), ipv6Bytes(addr)]);
  const name = Buffer.from(addr, 'latin1');
  if (name.length > 255) throw new Error('a SOCKS5 domain name is at most 255 bytes');
  return Buffer.concat([Buffer.from([3, name.length]), name]);
}

export function ipv6Bytes(addr: string): Buffer {
  const [head = '', tail] = addr.split('::');
  const parts = (s: string): string[] => (s ? s.split(':') : []);
  const left = parts(head);
  const right = tail === undefined ? [] : parts(tail);
  const groups = [...left, ...Array<string>(8 - left.length - right.length).fill('0'), ...right];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16) || 0, i * 2));
  return out;
}

export function formatIpv6(bytes: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}
