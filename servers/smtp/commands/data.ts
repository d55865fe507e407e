/**
 * The message after DATA (RFC 5321 §4.5.2): lines are un-dot-stuffed and kept
 * with CRLF, up to the size limit; a line holding only "." ends the message.
 */
import type { MachineOutput } from '../../shared/line-session.js';
import { sha256 } from '../message.js';
import { merge, type Session } from '../session.js';

const CRLF = Buffer.from('\r\n');

export function dataLine(s: Session, line: string): MachineOutput {
  const data = s.data!;
  if (line === '.') return endOfData(s);
  // Transparency: the client doubled every leading dot; take one away.
  const bytes = Buffer.from(line.startsWith('.') ? line.slice(1) : line, 'latin1');
  data.bytes += bytes.length + 2;
  if (data.bytes > s.options.maxMessageBytes) data.tooBig = true;
  if (!data.tooBig) data.lines.push(bytes, CRLF);
  return {};
}

function endOfData(s: Session): MachineOutput {
  const data = s.data!;
  const message = data.tooBig ? null : Buffer.concat(data.lines);
  s.resetTransaction();
  if (!message) return s.reply('552', '5.3.4 Error: message file too big');
  s.mailbox.message = message;
  const received: MachineOutput = {
    record: [{ type: 'payload-received', fields: { layer: s.layer, bytes: message.length, sha256: sha256(message) } }],
  };
  const stall = s.fault('stall');
  if (stall?.at === 'message' && (!stall.layer || stall.layer === s.layer))
    return merge(received, s.carriedOut(stall, { stall: true }));
  const close = s.fault('close-mid-reply');
  if (close?.at === 'message') {
    const cut: MachineOutput = {
      write: '250-2.0.0 Ok: queued as CONFORM1\r\n',
      record: [
        { type: 'reply', fields: { layer: s.layer, code: '250', text: '2.0.0 Ok: queued as CONFORM1 (cut short)' } },
      ],
      close: true,
    };
    return merge(received, s.carriedOut(close, cut));
  }
  const reject = s.fault('reject-message');
  if (reject) return merge(received, s.carriedOut(reject, s.reply(reject.code, rejectText(reject.code))));
  return merge(received, s.reply('250', '2.0.0 Ok: queued as CONFORM1'));
}

function rejectText(code: '451' | '452' | '552' | '554'): string {
  return {
    '451': '4.3.0 Error: queue file write error',
    '452': '4.3.1 Insufficient system storage',
    '552': '5.3.4 Message size exceeds fixed limit',
    '554': '5.7.1 Message rejected: content refused',
  }[code];
}
