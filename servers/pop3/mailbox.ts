/**
 * The maildrop: messages as stored (RFC 5322, CRLF line endings), and the
 * byte-stuffing of multi-line replies (RFC 1939 §3). Message 1 holds lines
 * that begin with "." (one of them is a lone "."), so a client that does not
 * un-stuff, or that takes the lone "." for the end, delivers the wrong bytes.
 */
import { createHash } from 'node:crypto';
import type { Pop3Options } from './options.js';
import { makeMessages as makeSharedMessages, type MessageStyle } from '../shared/mail-messages.js';

const CRLF = '\r\n';

/** Lines that exercise stuffing: RFC 1939 §3 prefixes each with one more "." on the wire. */
const DOT_LINES = [
  '.',
  '..',
  '.hidden line that begins with a dot',
  '...three dots',
  '. a dot and a space',
  '.\tdot and tab',
];

const STYLE: MessageStyle = {
  host: 'pop',
  idPrefix: 'message-',
  subject: { first: 'Conform POP3 message 1: dot-stuffing', other: (n) => `Conform POP3 message ${n}` },
  intro: [
    'This is message 1 of the Conform POP3 maildrop. The lines below begin with',
    'dots: on the wire each gets one more, and the client must take it away.',
  ],
  tricky: DOT_LINES,
  oddLine: 'A line with a dot in the middle . and at the end.',
};

/** The messages of the maildrop, each exactly as stored (and as a client must deliver it). */
export function makeMessages(mailbox: Pop3Options['mailbox']): Buffer[] {
  return makeSharedMessages(mailbox, STYLE);
}

/**
 * The multi-line form of `bytes` (RFC 1939 §3): every line that begins with
 * "." gets one more, a final CRLF is ensured, and `terminate` adds ".CRLF".
 */
export function stuff(bytes: Buffer, terminate = true): Buffer {
  const parts: Buffer[] = [];
  let start = 0;
  while (start < bytes.length) {
    const lf = bytes.indexOf(0x0a, start);
    const end = lf < 0 ? bytes.length : lf + 1;
    if (bytes[start] === 0x2e) parts.push(Buffer.from('.'));
    parts.push(bytes.subarray(start, end));
    start = end;
  }
  const body = Buffer.concat(parts);
  if (!terminate) return body;
  const needsCrlf = body.length > 0 && !body.subarray(-2).equals(Buffer.from(CRLF));
  return Buffer.concat([body, Buffer.from(needsCrlf ? `${CRLF}.${CRLF}` : `.${CRLF}`)]);
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A stable unique id for UIDL (RFC 1939 §7): printable, 1 to 70 characters. */
export function uid(message: Buffer): string {
  return sha256(message).slice(0, 32);
}
