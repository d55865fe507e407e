/**
 * The groups of a ClientHello's key_share extension (RFC 8446 §4.2.8), by
 * OpenSSL's names, the ones a server's `ecdhCurve` list uses: a server whose
 * groups none of these is must answer with a HelloRetryRequest (RFC 8446
 * §4.1.1) or fail. read-tls-client-hello parses the hello but not this
 * extension, so the raw record is walked here.
 */

/** IANA NamedGroup codes (RFC 8446 §4.2.7, RFC 7919, draft-ietf-tls-ecdhe-mlkem) by OpenSSL's names. */
const GROUP_NAMES: Readonly<Record<number, string>> = {
  0x0017: 'P-256',
  0x0018: 'P-384',
  0x0019: 'P-521',
  0x001d: 'X25519',
  0x001e: 'X448',
  0x0100: 'ffdhe2048',
  0x0101: 'ffdhe3072',
  0x0102: 'ffdhe4096',
  0x0103: 'ffdhe6144',
  0x0104: 'ffdhe8192',
  0x11eb: 'SecP256r1MLKEM768',
  0x11ec: 'X25519MLKEM768',
};

const KEY_SHARE = 51;
/** GREASE values (RFC 8701) are 0x?a?a. */
const isGrease = (v: number): boolean => (v & 0x0f0f) === 0x0a0a && v >> 8 === (v & 0xff);

/** The key-share groups of a ClientHello record (5-byte record header first); empty if it has none or cannot be read. */
export function keyShareGroups(record: Buffer): string[] {
  try {
    let at = 5 + 4 + 2 + 32; // record header, handshake header, legacy_version, random
    at += 1 + record[at]!; // session id
    at += 2 + record.readUInt16BE(at); // cipher suites
    at += 1 + record[at]!; // compression methods
    const end = Math.min(record.length, at + 2 + record.readUInt16BE(at));
    at += 2;
    while (at + 4 <= end) {
      const type = record.readUInt16BE(at);
      const length = record.readUInt16BE(at + 2);
      at += 4;
      if (type === KEY_SHARE) {
        const groups: string[] = [];
        const sharesEnd = at + 2 + record.readUInt16BE(at);
        for (let p = at + 2; p + 4 <= sharesEnd; p += 4 + record.readUInt16BE(p + 2)) {
          const group = record.readUInt16BE(p);
          if (!isGrease(group)) groups.push(GROUP_NAMES[group] ?? `0x${group.toString(16).padStart(4, '0')}`);
        }
        return groups;
      }
      at += length;
    }
  } catch {
    // A truncated hello: what could be read is all there is.
  }
  return [];
}
