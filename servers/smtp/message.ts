/**
 * The message a client is given to send (CONFORM_INPUT_FILE): a realistic
 * RFC 5322 message with CRLF line endings whose body holds a line that is a
 * lone ".", and lines starting with "." and "..", so that only a client doing
 * RFC 5321 §4.5.2 transparency (dot-stuffing) delivers it byte for byte.
 */
import { createHash } from 'node:crypto';

const HEADER = [
  'From: Alice Example <alice@conform.test>',
  'To: Bob Example <bob@example.org>',
  'Subject: Conform SMTP conformance message',
  'Date: Mon, 23 Nov 2026 16:00:00 +0000',
  'Message-ID: <smtp-conformance-1@conform.test>',
  'MIME-Version: 1.0',
  'Content-Type: text/plain; charset=us-ascii',
  'Content-Transfer-Encoding: 7bit',
];

const BODY = [
  'Hello Bob,',
  '',
  'This message checks SMTP transparency (RFC 5321 section 4.5.2).',
  'The next line holds a single dot; unstuffed, it would end the data:',
  '.',
  '..this line starts with two dots',
  '.this line starts with one dot',
  '...and this one with three',
  '',
  'A line that only looks like a command:',
  'QUIT',
  '',
  'Regards,',
  'Alice',
];

/** The standard message, or one padded with numbered text lines to about `size` bytes. */
export function makeMessage(size?: number): Buffer {
  const lines = [...HEADER, '', ...BODY];
  let text = `${lines.join('\r\n')}\r\n`;
  if (size !== undefined && size > text.length) {
    const padding: string[] = [];
    let length = text.length;
    for (let i = 0; length < size; i++) {
      // Every 50th line starts with a dot, so stuffing is exercised all along.
      const line = `${i % 50 === 0 ? '.' : ''}Line ${String(i).padStart(7, '0')} of the Conform padding, 7-bit text only.`;
      padding.push(line);
      length += line.length + 2;
    }
    text += `${padding.join('\r\n')}\r\n`;
  }
  return Buffer.from(text, 'latin1');
}

export function sha256(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}
