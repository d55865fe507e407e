import type { MachineOutput } from '../../shared/line-session.js';
import { ehloKeywords } from '../capabilities.js';
import { merge, type Session } from '../session.js';
import type { CommandSpec } from './types.js';

/** RFC 5321 §4.1.1.1: EHLO opens an extended session and lists the extensions. */
export const EHLO: CommandSpec = {
  verb: 'EHLO',
  stallStep: 'ehlo',
  lastInGroup: true,
  handle(s, args) {
    const refuse = s.fault('refuse-ehlo');
    if (refuse) return s.carriedOut(refuse, s.reply('500', '5.5.2 Error: command not recognized'));
    if (!args) return s.reply('501', '5.5.4 Syntax: EHLO hostname');
    s.resetTransaction();
    s.greeted = true;
    s.extended = true;
    const lines = [s.options.hostname, ...ehloKeywords(s)];
    return merge(hiddenStartTls(s), cutShort(s, lines) ?? s.reply('250', lines));
  },
};

/** RFC 5321 §4.1.1.1: HELO, for clients that are not ESMTP; no extensions. */
export const HELO: CommandSpec = {
  verb: 'HELO',
  stallStep: 'ehlo',
  lastInGroup: true,
  handle(s, args) {
    if (!args) return s.reply('501', '5.5.4 Syntax: HELO hostname');
    s.resetTransaction();
    s.greeted = true;
    s.extended = false;
    return s.reply('250', s.options.hostname);
  },
};

/** The close-mid-reply fault at EHLO: half of the reply's lines, all with "-", then the connection ends. */
function cutShort(s: Session, lines: string[]): MachineOutput | undefined {
  const close = s.fault('close-mid-reply');
  if (close?.at !== 'ehlo') return undefined;
  const half = lines.slice(0, Math.max(1, Math.floor(lines.length / 2)));
  const write = half.map((l) => `250-${l}\r\n`).join('');
  return s.carriedOut(close, {
    write,
    record: [{ type: 'reply', fields: { layer: s.layer, code: '250', text: `${half.join(' / ')} (cut short)` } }],
    close: true,
  });
}

/** Records the STARTTLS-hiding faults when an EHLO reply in plaintext leaves it out because of them. */
function hiddenStartTls(s: Session): MachineOutput {
  if (s.layer !== 'plaintext') {
    const again = s.fault('starttls-after-tls');
    return again && (s.options.tls === 'starttls' || s.options.tls === 'starttls-required') ? s.carriedOut(again) : {};
  }
  const fault = s.fault('strip-starttls') ?? s.fault('hide-starttls');
  return fault ? s.carriedOut(fault) : {};
}
