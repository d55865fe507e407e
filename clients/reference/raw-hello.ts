import { randomBytes } from 'node:crypto';

/**
 * A hand-built TLS ClientHello, for the flaws that offer cipher suites Node's
 * OpenSSL can no longer send (RC4, export) or that must be offered alone.
 * It is the flaw's only message: the client gives up after the server answers.
 */
export const WEAK_SUITES = {
  'offer-null': [0x003b, 0x0002], // TLS_RSA_WITH_NULL_SHA256, TLS_RSA_WITH_NULL_SHA
  'offer-export': [0x0003, 0x0008], // TLS_RSA_EXPORT_WITH_RC4_40_MD5, TLS_RSA_EXPORT_WITH_DES40_CBC_SHA
  'offer-rc4': [0x0005, 0xc011], // TLS_RSA_WITH_RC4_128_SHA, TLS_ECDHE_RSA_WITH_RC4_128_SHA
  'offer-anon': [0x0034, 0xc018], // TLS_DH_anon_WITH_AES_128_CBC_SHA, TLS_ECDH_anon_WITH_AES_128_CBC_SHA
  'offer-des': [0x000a, 0x0009], // TLS_RSA_WITH_3DES_EDE_CBC_SHA, TLS_RSA_WITH_DES_CBC_SHA
} as const;

const MODERN_SUITES = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030];

const u16 = (n: number): Buffer => Buffer.from([(n >> 8) & 0xff, n & 0xff]);
const vec16 = (b: Buffer): Buffer => Buffer.concat([u16(b.length), b]);
const ext = (type: number, body: Buffer): Buffer => Buffer.concat([u16(type), vec16(body)]);

export function buildClientHello(opts: { sni: string | null; extraSuites: readonly number[] }): Buffer {
  const suites = Buffer.concat([...MODERN_SUITES, ...opts.extraSuites].map(u16));
  const extensions: Buffer[] = [];
  if (opts.sni) {
    const name = Buffer.from(opts.sni, 'ascii');
    extensions.push(ext(0x0000, vec16(Buffer.concat([Buffer.from([0]), vec16(name)]))));
  }
  extensions.push(ext(0x000a, vec16(Buffer.concat([0x001d, 0x0017].map(u16))))); // supported_groups
  extensions.push(ext(0x000d, vec16(Buffer.concat([0x0403, 0x0804, 0x0401].map(u16))))); // signature_algorithms
  extensions.push(ext(0x002b, Buffer.concat([Buffer.from([4]), u16(0x0304), u16(0x0303)]))); // supported_versions
  extensions.push(ext(0x0033, vec16(Buffer.concat([u16(0x001d), vec16(randomBytes(32))])))); // key_share x25519
  const body = Buffer.concat([
    u16(0x0303),
    randomBytes(32),
    Buffer.from([0]), // session id
    vec16(suites),
    Buffer.from([1, 0]), // compression: null
    vec16(Buffer.concat(extensions)),
  ]);
  const handshake = Buffer.concat([
    Buffer.from([1, (body.length >> 16) & 0xff, (body.length >> 8) & 0xff, body.length & 0xff]),
    body,
  ]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01]), u16(handshake.length), handshake]);
}
