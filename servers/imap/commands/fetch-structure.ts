/**
 * ENVELOPE and BODY/BODYSTRUCTURE (RFC 9051 §7.5.2) of this server's
 * messages: single-part text/plain, with plain ASCII header fields, so a
 * small reading of the header is exact.
 */
import { splitMessage } from '../mailbox.js';

/** A quoted string (§4.3), or NIL for a value a quoted string cannot carry. */
function quoted(value: string | undefined): string {
  if (value === undefined || /[\r\n\x00\x80-\xff]/.test(value)) return 'NIL';
  return `"${value.replace(/[\\"]/g, '\\$&')}"`;
}

function field(header: string, name: string): string | undefined {
  const m = new RegExp(`^${name}:[ \\t]*(.*(?:\\r\\n[ \\t].*)*)`, 'im').exec(header);
  return m?.[1]?.replace(/\r\n[ \t]/g, ' ');
}

/** An address list: "Name <mailbox@host>" as ((name NIL mailbox host)). */
function addresses(value: string | undefined): string {
  if (!value) return 'NIL';
  const m = /^(?:"?([^"<]*?)"?\s*)?<([^@>]+)@([^>]+)>$/.exec(value.trim()) ?? /^()([^@\s]+)@(\S+)$/.exec(value.trim());
  if (!m) return 'NIL';
  return `((${m[1] ? quoted(m[1]) : 'NIL'} NIL ${quoted(m[2])} ${quoted(m[3])}))`;
}

export function envelope(message: Buffer): string {
  const header = splitMessage(message).header.toString('latin1');
  const from = addresses(field(header, 'From'));
  return `(${quoted(field(header, 'Date'))} ${quoted(field(header, 'Subject'))} ${from} ${from} ${from} ${addresses(field(header, 'To'))} NIL NIL NIL ${quoted(field(header, 'Message-ID'))})`;
}

/** The body structure of a text/plain part: with the extension data for BODYSTRUCTURE, without for BODY. */
export function bodyStructure(message: Buffer, extensible: boolean): string {
  const text = splitMessage(message).text;
  const lines = text.toString('latin1').split('\r\n').length - 1;
  return `("TEXT" "PLAIN" ("CHARSET" "utf-8") NIL NIL "8BIT" ${text.length} ${lines}${extensible ? ' NIL NIL NIL NIL' : ''})`;
}
