import { checkServerIdentity, type PeerCertificate, type TLSSocket } from 'node:tls';
import type { Flaw } from './flaw-types.js';

/** Smallest RSA key accepted (NIST SP 800-131A; CA/Browser Forum BR §6.1.5). */
const MIN_RSA_BITS = 2048;

/**
 * The reference client's certificate check, made after the handshake so each
 * flaw can relax exactly one rule: the chain (OpenSSL's verdict), key strength,
 * and the host name per RFC 9525 (SAN only, no CN fallback, wildcard = one label).
 * Returns why the certificate is refused, or undefined to accept it.
 */
export function refuseCertificate(socket: TLSSocket, host: string, flaws: ReadonlySet<Flaw>): string | undefined {
  if (flaws.has('skip-verify')) return undefined;
  // OpenSSL's verdict on the chain (with allow-weak-keys, made at security level 0).
  const weakOk = flaws.has('allow-weak-keys');
  if (!socket.authorized) return `certificate rejected: ${String(socket.authorizationError)}`;
  const peer = socket.getPeerCertificate(true);
  if (!weakOk && peer.modulus && (peer.bits ?? 0) < MIN_RSA_BITS) return `certificate rejected: RSA key of ${peer.bits} bits`;
  if (flaws.has('skip-hostname-check')) return undefined;
  return hostMismatch(host, peer, flaws.has('allow-cn-fallback'));
}

function hostMismatch(host: string, peer: PeerCertificate, cnFallback: boolean): string | undefined {
  // RFC 9525 §6.3: the CN is never consulted; a certificate without SAN names nobody.
  if (!peer.subjectaltname && !cnFallback) return 'certificate rejected: it has no subjectAltName';
  const err = checkServerIdentity(host, peer);
  return err ? `certificate rejected: ${err.message}` : undefined;
}
