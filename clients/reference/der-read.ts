/** Reading DER (X.690), as much as the revocation checks need: an element and its children. */

export interface Element {
  tag: number;
  /** The whole encoding, header included. */
  raw: Buffer;
  content: Buffer;
}

/** The element at `offset`; throws on a length that runs past the buffer (hostile or torn input). */
export function readElement(buf: Buffer, offset = 0): Element {
  if (offset + 2 > buf.length) throw new Error('DER: truncated header');
  const tag = buf[offset]!;
  let len = buf[offset + 1]!;
  let start = offset + 2;
  if (len & 0x80) {
    const count = len & 0x7f;
    if (count === 0 || count > 4 || start + count > buf.length) throw new Error('DER: bad length');
    len = 0;
    for (let i = 0; i < count; i++) len = len * 256 + buf[start + i]!;
    start += count;
  }
  if (start + len > buf.length) throw new Error('DER: element runs past its container');
  return { tag, raw: buf.subarray(offset, start + len), content: buf.subarray(start, start + len) };
}

/** The elements inside a constructed element's contents, in order. */
export function childrenOf(content: Buffer): Element[] {
  const out: Element[] = [];
  for (let at = 0; at < content.length; ) {
    const el = readElement(content, at);
    out.push(el);
    at += el.raw.length;
  }
  return out;
}

/** A DER element from its tag and contents (short and long lengths). */
export function encode(tag: number, content: Buffer): Buffer {
  const n = content.length;
  const len = n < 0x80 ? Buffer.from([n]) : n < 0x100 ? Buffer.from([0x81, n]) : Buffer.from([0x82, n >> 8, n & 0xff]);
  return Buffer.concat([Buffer.from([tag]), len, content]);
}

/** An INTEGER's contents without the sign-padding zero bytes, as hex (to compare serial numbers). */
export function integerHex(content: Buffer): string {
  let at = 0;
  while (at < content.length - 1 && content[at] === 0) at++;
  return content.subarray(at).toString('hex').toUpperCase();
}

/** A dotted OID from an OBJECT IDENTIFIER's contents. */
export function oidText(content: Buffer): string {
  const arcs: number[] = [];
  let value = 0;
  for (const byte of content) {
    value = value * 128 + (byte & 0x7f);
    if (!(byte & 0x80)) {
      arcs.push(value);
      value = 0;
    }
  }
  const first = arcs.shift() ?? 0;
  return [Math.min(2, Math.floor(first / 40)), first - Math.min(2, Math.floor(first / 40)) * 40, ...arcs].join('.');
}
