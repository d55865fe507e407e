// The few DER encodings (X.690) a certificate needs, as plain functions over
// Buffers. Certificates are built from these directly: a general ASN.1
// library costs ~6 ms per certificate and ~2 s for one with 10,000 names,
// these a few microseconds per field.

/** Tag, length (short or long form, X.690 §8.1.3), contents: one allocation, one copy. */
export function tlv(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const lengthOctets = n < 0x80 ? 0 : n < 0x100 ? 1 : n < 0x10000 ? 2 : n < 0x1000000 ? 3 : 4;
  const out = Buffer.allocUnsafe(2 + lengthOctets + n);
  out[0] = tag;
  if (lengthOctets === 0) {
    out[1] = n;
  } else {
    out[1] = 0x80 | lengthOctets;
    out.writeUIntBE(n, 2, lengthOctets);
  }
  content.copy(out, 2 + lengthOctets);
  return out;
}

export const seq = (...items: Buffer[]): Buffer => tlv(0x30, Buffer.concat(items));
export const set = (...items: Buffer[]): Buffer => tlv(0x31, Buffer.concat(items));
export const nul = (): Buffer => Buffer.from([0x05, 0x00]);
export const bool = (value: boolean): Buffer => Buffer.from([0x01, 0x01, value ? 0xff : 0x00]);
export const octets = (content: Buffer): Buffer => tlv(0x04, content);
export const utf8 = (text: string): Buffer => tlv(0x0c, Buffer.from(text, 'utf8'));
export const ia5 = (text: string): Buffer => tlv(0x16, Buffer.from(text, 'ascii'));

/** `[n]` EXPLICIT: a constructed context tag around a whole encoding. */
export const explicit = (n: number, inner: Buffer): Buffer => tlv(0xa0 | n, inner);

/** `[n]` IMPLICIT: the context tag replaces the inner tag (primitive or constructed, as `constructed` says). */
export const implicit = (n: number, content: Buffer, constructed = false): Buffer =>
  tlv((constructed ? 0xa0 : 0x80) | n, content);

/** An unsigned big-endian integer (a serial number, a small count): minimal, with a 0 byte where the sign bit is set. */
export function uint(value: number | Buffer): Buffer {
  const hex = typeof value === 'number' ? value.toString(16) : '';
  let bytes = typeof value === 'number' ? Buffer.from(hex.length % 2 ? `0${hex}` : hex, 'hex') : value;
  while (bytes.length > 1 && bytes[0] === 0 && bytes[1]! < 0x80) bytes = bytes.subarray(1);
  if (bytes[0]! >= 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return tlv(0x02, bytes);
}

/** A dotted OBJECT IDENTIFIER (X.690 §8.19). */
export function oid(dotted: string): Buffer {
  const [a, b, ...rest] = dotted.split('.').map(Number);
  const bytes: number[] = [];
  for (const arc of [a! * 40 + b!, ...rest]) {
    const groups: number[] = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) groups.unshift((v & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

/** A BIT STRING of whole bytes (a public key, a signature). */
export const bitString = (bytes: Buffer): Buffer => tlv(0x03, Buffer.concat([Buffer.from([0]), bytes]));

/**
 * A named-bit BIT STRING (keyUsage): bit 0 is the most significant bit of the
 * first byte, and DER drops trailing zero bits (X.690 §11.2.2).
 */
export function namedBits(bits: readonly number[]): Buffer {
  const last = Math.max(...bits);
  const bytes = Buffer.alloc(Math.floor(last / 8) + 1);
  for (const bit of bits) bytes[bit >> 3]! |= 0x80 >> (bit & 7);
  const unused = 7 - (last & 7);
  return tlv(0x03, Buffer.concat([Buffer.from([unused]), bytes]));
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5), whole seconds. */
export function time(date: Date): Buffer {
  const iso = date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/[-:T]/g, '');
  const year = date.getUTCFullYear();
  return year >= 1950 && year < 2050
    ? tlv(0x17, Buffer.from(iso.slice(2), 'ascii'))
    : tlv(0x18, Buffer.from(iso, 'ascii'));
}

/** One parsed element: where its contents sit in the buffer, and where it ends. */
export interface Element {
  tag: number;
  /** The whole encoding, header included. */
  raw: Buffer;
  content: Buffer;
}

/** Reads the element that starts at `offset` (definite lengths only, as DER has). */
export function read(buf: Buffer, offset = 0): Element {
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + buf[start + i]!;
    start += count;
  }
  return { tag, raw: buf.subarray(offset, start + len), content: buf.subarray(start, start + len) };
}

/** The elements inside a constructed element's contents, in order. */
export function children(content: Buffer): Element[] {
  const out: Element[] = [];
  for (let at = 0; at < content.length; ) {
    const el = read(content, at);
    out.push(el);
    at += el.raw.length;
  }
  return out;
}
