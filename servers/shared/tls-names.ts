/** Names for what a ClientHello offers, as the judge and reports use them. */

export const TLS_VERSION_NAMES: Record<number, string> = {
  0x0300: 'SSLv3',
  0x0301: 'TLSv1',
  0x0302: 'TLSv1.1',
  0x0303: 'TLSv1.2',
  0x0304: 'TLSv1.3',
};

/** Node's version names, oldest first; the order is used for "below" comparisons. */
export const TLS_VERSIONS = ['SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

export function versionName(code: number): string {
  return TLS_VERSION_NAMES[code] ?? `0x${code.toString(16).padStart(4, '0')}`;
}

export function versionRank(name: string): number {
  return TLS_VERSIONS.indexOf(name as TlsVersion);
}

/**
 * Classes of cipher suites a client must not offer, recognised from their IANA
 * names (RFC 9325 §4.1: no NULL, anonymous or export suites; RFC 7465: no RC4;
 * RFC 9325 §4.2: no 3DES/DES).
 */
export const WEAK_CIPHER_CLASSES = {
  NULL: {
    test: (n: string) => /_WITH_NULL_|^TLS_NULL_/.test(n),
    why: 'NULL encryption sends data in the clear (RFC 9325 §4.1)',
  },
  EXPORT: {
    test: (n: string) => /_EXPORT/.test(n),
    why: 'export-grade suites are breakable (RFC 9325 §4.1, FREAK/Logjam)',
  },
  RC4: { test: (n: string) => /_RC4_/.test(n), why: 'RC4 is prohibited (RFC 7465)' },
  anon: { test: (n: string) => /_anon_/.test(n), why: 'anonymous key exchange authenticates nobody (RFC 9325 §4.1)' },
  DES: {
    test: (n: string) => /_DES_|_3DES_|DES40|_DES_CBC/.test(n),
    why: 'DES and 3DES are too weak (RFC 9325 §4.2, Sweet32)',
  },
} as const;

export type WeakCipherClass = keyof typeof WEAK_CIPHER_CLASSES;
export const WEAK_CIPHER_CLASS_NAMES = Object.keys(WEAK_CIPHER_CLASSES) as WeakCipherClass[];
