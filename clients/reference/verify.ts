import { checkPrimeSync } from 'node:crypto';
import { isIP } from 'node:net';
import type { PeerCertificate, TLSSocket } from 'node:tls';
import type { Flaw } from './flaw-types.js';
import { domainToASCII } from 'node:url';
import { dhGroups } from './server-flight.js';

/** The name to send as SNI and to verify: a U-label host in its A-label form (RFC 9525 §6.3, RFC 6066 §3). */
export function dnsName(host: string): string {
  return domainToASCII(host) || host;
}

/** Smallest RSA key accepted (NIST SP 800-131A; CA/Browser Forum BR §6.1.5). */
const MIN_RSA_BITS = 2048;
/** Smallest finite-field DH group accepted (RFC 9325 §4.5: "DH key lengths of at least 2048 bits are REQUIRED"). */
const MIN_DH_BITS = 2048;

/**
 * The reference client's check of what the handshake put before it, made
 * after the handshake so each flaw can relax exactly one rule: the key
 * exchange (DH group size and primality), the chain (OpenSSL's verdict), key
 * strength, and the host name per RFC 9525 (SAN only, no CN fallback, A-labels,
 * wildcards as the whole left-most label). Returns why the connection is
 * refused, or undefined to accept it.
 */
export function refuseCertificate(socket: TLSSocket, host: string, flaws: ReadonlySet<Flaw>): string | undefined {
  const kx = refuseKeyExchange(socket, flaws);
  if (kx) return kx;
  if (flaws.has('skip-verify')) return undefined;
  // OpenSSL's verdict on the chain (with allow-weak-keys, made at security level 0).
  const weakOk = flaws.has('allow-weak-keys');
  if (!socket.authorized) return `certificate rejected: ${String(socket.authorizationError)}`;
  const peer = socket.getPeerCertificate(true);
  if (!weakOk && peer.modulus && (peer.bits ?? 0) < MIN_RSA_BITS)
    return `certificate rejected: RSA key of ${peer.bits} bits`;
  if (flaws.has('skip-hostname-check')) return undefined;
  return hostMismatch(host, peer, flaws);
}

/** A DHE group that is too small or whose modulus is not prime (CVE-2016-2217: the shared secret is then recoverable). */
function refuseKeyExchange(socket: TLSSocket, flaws: ReadonlySet<Flaw>): string | undefined {
  const info = socket.getEphemeralKeyInfo();
  if (!info || !('type' in info) || info.type !== 'DH') return undefined;
  if (!flaws.has('allow-weak-keys') && (info.size ?? 0) < MIN_DH_BITS)
    return `key exchange refused: a ${info.size}-bit DH group`;
  const group = dhGroups.get(socket);
  if (!group || flaws.has('trust-dh-group')) return undefined;
  return unsafeGroup(group);
}

const big = (b: Buffer): bigint => BigInt(`0x${b.toString('hex') || '0'}`);

/**
 * A server-chosen group is sound only if p is a safe prime (p = 2q + 1, q prime: every public value
 * but 1 and p - 1 then has order q or 2q) and the server's public value is neither of those
 * (RFC 7919 §5.1: "Peers MUST validate each other's public key Y ... by ensuring that 1 < Y < p-1").
 * Without the safe prime, g may generate a small subgroup and the shared secret be one of a few
 * values (RFC 7919 §1); the MODP groups of RFC 2409 and RFC 3526 are safe primes.
 */
function unsafeGroup({ p, ys }: { p: Buffer; ys: Buffer }): string | undefined {
  if (!checkPrimeSync(p)) return 'key exchange refused: the DH modulus is not prime';
  const modulus = big(p);
  const y = big(ys);
  if (y <= 1n || y >= modulus - 1n) return 'key exchange refused: the DH public value is 1 or p - 1';
  if (!checkPrimeSync((modulus - 1n) / 2n))
    return 'key exchange refused: the DH modulus is not a safe prime (its group may have small subgroups)';
  return undefined;
}

/** The subjectAltName entries of one type (`DNS`, `IP Address`), as Node lists them. */
function altNames(peer: PeerCertificate, type: string): string[] {
  return (peer.subjectaltname ?? '')
    .split(', ')
    .filter((e) => e.startsWith(`${type}:`))
    .map((e) => e.slice(type.length + 1));
}

/** An IP literal in one canonical text form, so that `::1` and `0:0:0:0:0:0:0:1` compare equal. */
function canonicalIp(ip: string): string {
  return isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname : ip;
}

function hostMismatch(host: string, peer: PeerCertificate, flaws: ReadonlySet<Flaw>): string | undefined {
  const cnFallback = flaws.has('allow-cn-fallback');
  const hasSan = Boolean(peer.subjectaltname);
  if (isIP(host)) {
    // RFC 9525 §6.2: "An IP-ID reference identifier MUST exactly match the value of an iPAddress entry in subjectAltName".
    const presented = altNames(peer, 'IP Address').map(canonicalIp);
    if (cnFallback && !hasSan && peer.subject?.CN) presented.push(String(peer.subject.CN));
    return presented.includes(canonicalIp(host))
      ? undefined
      : `certificate rejected: ${host} is not among its IP addresses`;
  }
  // RFC 9525 §6.3: U-labels become A-labels before any comparison.
  const reference = flaws.has('no-idna') ? host : dnsName(host);
  const presented = altNames(peer, 'DNS');
  // RFC 9525 removed the CN fallback: a certificate without DNS names names no host.
  if (!presented.length && cnFallback && peer.subject?.CN) presented.push(String(peer.subject.CN));
  if (!presented.length) return `certificate rejected: it has no subjectAltName${hasSan ? ' DNS name' : ''}`;
  const caseSensitive = flaws.has('case-sensitive-names');
  const match = flaws.has('lax-wildcards') ? globMatch : (r: string, p: string) => dnsIdMatch(r, p, caseSensitive);
  return presented.some((p) => match(reference, p))
    ? undefined
    : `certificate rejected: ${host} matches none of ${presented.length} DNS names`;
}

/**
 * RFC 9525 §6.3: labels compared as case-insensitive ASCII, in order; a
 * wildcard only as the whole left-most label, once, matching one label
 * ("If the requirements are not met, the presented identifier is invalid and
 * MUST be ignored."). Beyond RFC 9525, which leaves public suffixes out of
 * scope (§7.1), a wildcard needs two labels after it, as OpenSSL and curl have it.
 */
export function dnsIdMatch(reference: string, presented: string, caseSensitive = false): boolean {
  // The case-sensitive-names flaw compares the labels byte for byte.
  const fold = (name: string) => (caseSensitive ? name : name.toLowerCase()).replace(/\.$/, '');
  const ref = fold(reference);
  const pattern = fold(presented);
  if (!pattern.includes('*')) return ref === pattern;
  const labels = pattern.split('.');
  if (labels[0] !== '*' || pattern.indexOf('*') !== pattern.lastIndexOf('*') || labels.length < 3) return false;
  const refLabels = ref.split('.');
  return (
    refLabels.length === labels.length &&
    refLabels[0] !== '' &&
    refLabels.slice(1).join('.') === labels.slice(1).join('.')
  );
}

/** The lax-wildcards flaw: `*` anywhere, any number of times, each matching within a label (a pre-RFC 6125 glob). */
function globMatch(reference: string, presented: string): boolean {
  const re = presented
    .toLowerCase()
    .split('*')
    .map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'))
    .join('[^.]*');
  return new RegExp(`^${re}$`).test(reference.toLowerCase());
}
