/**
 * INBOX: messages as stored (RFC 5322, CRLF line endings). IMAP sends a
 * message as a literal, its length counted in octets ahead of it (RFC 9051
 * §4.3), so nothing inside needs escaping; message 1 holds lines that read
 * like IMAP responses (a tagged OK, an untagged EXISTS, a closing parenthesis,
 * a literal's announcement), so a client that reads the literal line by line
 * instead of by its octet count delivers the wrong bytes or ends early.
 */
import { createHash } from 'node:crypto';
import type { ImapOptions } from './options.js';
import { makeMessages as makeSharedMessages, type MessageStyle } from '../shared/mail-messages.js';

/** Lines a line-reading client would take for responses (RFC 9051 §7): only the octet count tells them apart. */
const RESPONSE_LIKE = [
  'A5 OK FETCH completed.',
  'Z999 OK Done.',
  '* 3 EXISTS',
  ')',
  '* 1 FETCH (BODY[] {12}',
  '+ Ready for more',
  '.',
];

const STYLE: MessageStyle = {
  host: 'imap',
  idPrefix: 'imap-message-',
  subject: { first: 'Conform IMAP message 1: a literal', other: (n) => `Conform IMAP message ${n}` },
  intro: [
    'This is message 1 of the Conform IMAP INBOX. The lines below look like',
    'IMAP responses; they are part of the message, sent inside a literal:',
  ],
  tricky: RESPONSE_LIKE,
  oddLine: 'A line with a parenthesis ) in the middle and braces {5} at the end {5}',
};

/** The messages of INBOX, each exactly as stored (and as a client must deliver it). */
export function makeMessages(mailbox: ImapOptions['mailbox']): Buffer[] {
  return makeSharedMessages(mailbox, STYLE);
}

/** The header (up to and with the blank line) and the text of a message (RFC 9051 §6.4.5 HEADER, TEXT). */
export function splitMessage(message: Buffer): { header: Buffer; text: Buffer } {
  const at = message.indexOf('\r\n\r\n');
  if (at < 0) return { header: message, text: Buffer.alloc(0) };
  return { header: message.subarray(0, at + 4), text: message.subarray(at + 4) };
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** UIDVALIDITY (RFC 9051 §2.3.1.1): fixed, so a case is the same every run. */
export const UID_VALIDITY = 1714987800;

/** INTERNALDATE of message n (RFC 9051 §2.3.3), as date-time. */
export const internalDate = (n: number): string => `"06-May-2024 09:30:0${n % 10} +0000"`;
