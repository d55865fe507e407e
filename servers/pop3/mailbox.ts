/**
 * The maildrop: messages as stored (RFC 5322, CRLF line endings), and the
 * byte-stuffing of multi-line replies (RFC 1939 §3). Message 1 holds lines
 * that begin with "." (one of them is a lone "."), so a client that does not
 * un-stuff, or that takes the lone "." for the end, delivers the wrong bytes.
 */
import { createHash } from 'node:crypto';
import type { Pop3Options } from './options.js';

const CRLF = '\r\n';

const HEADERS = (n: number, subject: string): string[] => [
  'Return-Path: <sender@conform.test>',
  `Received: from mx.conform.test (mx.conform.test [192.0.2.25]) by pop.conform.test with ESMTPS id c0nf0rm${n}; Mon, 6 May 2024 09:30:0${n} +0000`,
  `Date: Mon, 6 May 2024 09:30:0${n} +0000`,
  'From: Conform Sender <sender@conform.test>',
  'To: Conform User <user@conform.test>',
  `Subject: ${subject}`,
  `Message-ID: <message-${n}@conform.test>`,
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=utf-8',
  'Content-Transfer-Encoding: 8bit',
];

/** Lines that exercise stuffing: RFC 1939 §3 prefixes each with one more "." on the wire. */
const DOT_LINES = [
  '.',
  '..',
  '.hidden line that begins with a dot',
  '...three dots',
  '. a dot and a space',
  '.\tdot and tab',
];

function standardBody(): string[] {
  return [
    'Hello,',
    '',
    'This is message 1 of the Conform POP3 maildrop. The lines below begin with',
    'dots: on the wire each gets one more, and the client must take it away.',
    ...DOT_LINES,
    'A line with a dot in the middle . and at the end.',
    'Non-ASCII survives as bytes: Grüße, naïve, 東京.',
    '',
    '-- ',
    'Conform',
  ];
}

/** About 1 MiB: the standard body's dot lines, numbered, many times over. */
function largeBody(): string[] {
  const lines: string[] = [];
  for (let i = 0; lines.length < 16_384; i++) {
    lines.push(`Line ${i.toString().padStart(6, '0')} of the large message, padded to a typical width for mail.`);
    lines.push(DOT_LINES[i % DOT_LINES.length]!);
  }
  return lines;
}

/** The messages of the maildrop, each exactly as stored (and as a client must deliver it). */
export function makeMessages(mailbox: Pop3Options['mailbox']): Buffer[] {
  const messages: Buffer[] = [];
  for (let n = 1; n <= mailbox.count; n++) {
    const body =
      n === 1
        ? mailbox.message === 'large'
          ? largeBody()
          : standardBody()
        : [`This is message ${n}, not the one to retrieve.`];
    const subject = n === 1 ? 'Conform POP3 message 1: dot-stuffing' : `Conform POP3 message ${n}`;
    messages.push(Buffer.from([...HEADERS(n, subject), '', ...body].join(CRLF) + CRLF, 'utf8'));
  }
  return messages;
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
