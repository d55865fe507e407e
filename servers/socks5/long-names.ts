/**
 * Names at the edge of SOCKS5's one-octet length fields (RFC 1929 §2 ULEN,
 * RFC 1928 §5 the DOMAINNAME length), made by length so a case says `256`
 * instead of spelling out 256 letters. Their content shows where a client cut
 * them: the user name runs through the alphabet, each label of the host name
 * repeats its own letter.
 */

/** The parent of every generated host name (`.test` is reserved, RFC 2606 §2). */
export const LONG_HOST_PARENT = 'conform.test';
/** RFC 1035 §2.3.4: a label is at most 63 octets. */
const MAX_LABEL = 63;
/** The shortest generated host name: one letter, a dot, the parent. */
export const MIN_LONG_HOST = LONG_HOST_PARENT.length + 2;

/** A user name of exactly `bytes` ASCII bytes: abc…xyzabc… */
export function longUser(bytes: number): string {
  return Array.from({ length: bytes }, (_, i) => String.fromCharCode(0x61 + (i % 26))).join('');
}

/** A host name of exactly `bytes` bytes: labels of at most 63 letters (aaa….bbb….) under conform.test. */
export function longHost(bytes: number): string {
  if (bytes < MIN_LONG_HOST) throw new RangeError(`a generated host name is at least ${MIN_LONG_HOST} bytes`);
  const labels: string[] = [];
  // What the labels and the dots between them fill, before ".conform.test".
  let left = bytes - LONG_HOST_PARENT.length - 1;
  while (left > 0) {
    let size = Math.min(MAX_LABEL, left);
    // Never leave a lone dot: the next label needs at least one letter after it.
    if (left - size === 1) size -= 1;
    labels.push(String.fromCharCode(0x61 + (labels.length % 26)).repeat(size));
    left -= size;
    if (left > 0) left -= 1;
  }
  return `${labels.join('.')}.${LONG_HOST_PARENT}`;
}

/** The RFC 1929 account the proxy checks and hands to the client: `credentials`, with a generated user name under `longNames.user`. */
export function accountOf(options: { credentials: { user: string; pass: string }; longNames: { user?: number } }): {
  user: string;
  pass: string;
} {
  const { user } = options.longNames;
  return { user: user === undefined ? options.credentials.user : longUser(user), pass: options.credentials.pass };
}
