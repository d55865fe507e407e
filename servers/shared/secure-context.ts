import { constants, randomBytes } from 'node:crypto';
import { createSecureContext, type SecureContext, type SecureContextOptions } from 'node:tls';
import type { MaterializedCert, RevocableCert } from '../../certs/index.js';
import { dhParamPem } from '../../certs/dh-params.js';
import type { ClientCertPolicy } from './client-cert.js';

type TlsVersion = 'TLSv1' | 'TLSv1.1' | 'TLSv1.2' | 'TLSv1.3';

export interface CaseTls {
  minVersion: TlsVersion;
  maxVersion: TlsVersion;
  /** OpenSSL cipher list; default: OpenSSL's, at the security level the certificate and versions need. */
  ciphers?: string;
  /** Trust anchors for client certificates, when the server asks for one. */
  clientCa?: string;
  /** Whether the server asks for a client certificate; any but `none` trusts the certificate folder's client CA. */
  clientCert?: ClientCertPolicy;
}

const ORDER: readonly TlsVersion[] = ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'];

/**
 * A case's context options for a certificate. Legacy versions and weak
 * certificates load only at a lower OpenSSL security level, and it is lowered
 * only for the cases that ask for them. A profile that comes with server
 * settings (static RSA only, CBC only, DHE only) caps the version at TLS 1.2
 * and sets its suites, unless the case names suites of its own.
 */
export function contextOptions(cert: MaterializedCert, tls: CaseTls): SecureContextOptions {
  const legacy = tls.minVersion === 'TLSv1' || tls.minVersion === 'TLSv1.1';
  const level = legacy ? 0 : cert.securityLevel;
  const server = cert.server;
  const profileCiphers = server?.ciphers && (level === null ? server.ciphers : `${server.ciphers}:@SECLEVEL=${level}`);
  const ciphers = tls.ciphers ?? profileCiphers ?? (level === null ? undefined : `DEFAULT:@SECLEVEL=${level}`);
  const cap = server?.maxVersion;
  const maxVersion = cap && ORDER.indexOf(cap) < ORDER.indexOf(tls.maxVersion) ? cap : tls.maxVersion;
  // A revocation leaf (certs/index.ts RevocableCert): its staple, or null when the server staples nothing.
  const staple = 'staple' in cert ? (cert as RevocableCert).staple : undefined;
  return {
    key: cert.keyPem,
    cert: cert.certChainPem,
    minVersion: tls.minVersion,
    maxVersion,
    ...(ciphers ? { ciphers } : {}),
    ...(server?.dhGroup ? { dhparam: dhParamPem(server.dhGroup) } : {}),
    ...(server?.groups ? { ecdhCurve: server.groups } : {}),
    ...(server?.refuseAlpn || server?.renegotiate || staple !== undefined
      ? {
          [HANDSHAKE]: {
            ...(server?.refuseAlpn ? { refuseAlpn: true } : {}),
            ...(server?.renegotiate ? { renegotiate: true } : {}),
            ...(staple !== undefined ? { staple } : {}),
          },
        }
      : {}),
    // RFC 7366: without encrypt_then_mac a CBC suite runs MAC-then-encrypt, the construction RFC 9325 §4.2 warns off.
    ...(server?.encryptThenMac === false ? { secureOptions: constants.SSL_OP_NO_ENCRYPT_THEN_MAC } : {}),
    ...(tls.clientCa
      ? { ca: tls.clientCa }
      : tls.clientCert && tls.clientCert !== 'none'
        ? { ca: cert.clientCaPem }
        : {}),
    // OpenSSL refuses to resume a session (internal_error) on a server that verifies peers without a session ID
    // context, as tls.Server would set; FTPS data connections resume the control connection's session.
    ...(tls.clientCa || (tls.clientCert && tls.clientCert !== 'none') ? { sessionIdContext: 'conform' } : {}),
  };
}

/** Idle contexts by their options; a handful of certificate profiles make a handful of keys. */
const idle = new Map<string, SecureContext[]>();
const keyOf = new WeakMap<SecureContext, string>();
/**
 * What a profile asks of the handshake beyond the context itself, for
 * tls-accept.ts: the groups the context was limited to (`ecdhCurve`), to see a
 * HelloRetryRequest coming; an ALPN selection that refuses every protocol.
 */
export interface HandshakeSettings {
  groups?: readonly string[];
  refuseAlpn?: boolean;
  /** Ask for a renegotiation once the handshake is done (TLS 1.2). */
  renegotiate?: boolean;
  /**
   * A revocation leaf's OCSP staple (RFC 6066 §8), sent when the client asks;
   * null: a status request is recorded and answered with nothing.
   */
  staple?: Buffer | null;
}
/** Carried in the context options (createSecureContext ignores it; JSON.stringify, the loans' key, skips symbols). */
const HANDSHAKE = Symbol('conform handshake settings');
const handshakeOfContext = new WeakMap<SecureContext, HandshakeSettings>();

/** The handshake settings of a context from ContextLoans, when its profile has any. */
export function handshakeSettings(context: SecureContext): HandshakeSettings {
  return handshakeOfContext.get(context) ?? {};
}
/** Idle contexts kept per key: about the most cases that run at once (the adaptive scheduler's 32 working, plus waiting ones). */
const KEEP_PER_KEY = 48;

interface TicketKeys {
  context: { setTicketKeys(keys: Buffer): void };
}

/**
 * Secure contexts lent to one server at a time. Parsing a key and its chain
 * costs 1-2 ms, on every case, for one of a few certificate profiles, so
 * contexts are kept and lent again. Each loan gets fresh session ticket keys:
 * a client can resume a session only within the case that issued it, never
 * from an earlier case (a resumed session skips the certificate check, and
 * would hide a client that never checks). Node's servers keep no session-ID
 * cache of their own, so tickets are the only thing to renew.
 */
export class ContextLoans {
  private readonly lent: SecureContext[] = [];

  borrow(options: SecureContextOptions): SecureContext {
    const key = JSON.stringify(options);
    const context = idle.get(key)?.pop() ?? createSecureContext(options);
    keyOf.set(context, key);
    const extra = (options as { [HANDSHAKE]?: HandshakeSettings })[HANDSHAKE];
    if (options.ecdhCurve || extra) {
      handshakeOfContext.set(context, {
        ...(options.ecdhCurve ? { groups: options.ecdhCurve.split(':') } : {}),
        ...extra,
      });
    }
    (context as unknown as TicketKeys).context.setTicketKeys(randomBytes(48));
    this.lent.push(context);
    return context;
  }

  /** When the server has stopped: its connections are gone, the contexts can serve another case. */
  returnAll(): void {
    for (const context of this.lent.splice(0)) {
      const key = keyOf.get(context)!;
      const pool = idle.get(key) ?? [];
      if (pool.length < KEEP_PER_KEY) pool.push(context);
      idle.set(key, pool);
    }
  }
}
