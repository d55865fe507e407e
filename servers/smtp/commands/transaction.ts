import type { CommandSpec } from './types.js';

const PATH = /^<([^<>\s]*)>(?:\s+(.*))?$/;
const MAX_RECIPIENTS = 100;

const RCPT_REPLIES = {
  '450': ['4.2.0', 'Recipient address rejected: Mailbox busy'],
  '451': ['4.3.0', 'Recipient address rejected: Temporary lookup failure'],
  '550': ['5.1.1', 'Recipient address rejected: User unknown'],
  '554': ['5.7.1', 'Relay access denied'],
} as const;

/** RFC 5321 §4.1.1.2. */
export const MAIL: CommandSpec = {
  verb: 'MAIL',
  needsHello: true,
  needsTls: true,
  stallStep: 'mail',
  handle(s, args) {
    const path = /^FROM:\s*(.*)$/i.exec(args);
    const parsed = path ? PATH.exec(path[1]!.trim()) : null;
    if (!parsed) return s.reply('501', '5.5.4 Syntax: MAIL FROM:<address>');
    if (s.mailFrom !== undefined) return s.reply('503', '5.5.1 Error: nested MAIL command');
    if (s.options.auth.required && !s.authenticated) return s.reply('530', '5.7.0 Authentication required');
    // RFC 1870 §6: a declared size over the limit is refused up front.
    const size = /(?:^|\s)SIZE=(\d+)/i.exec(parsed[2] ?? '');
    if (size && Number(size[1]) > s.options.maxMessageBytes)
      return s.reply('552', '5.3.4 Message size exceeds fixed limit');
    s.mailFrom = parsed[1]!;
    return s.reply('250', '2.1.0 Ok');
  },
};

/** RFC 5321 §4.1.1.3. */
export const RCPT: CommandSpec = {
  verb: 'RCPT',
  needsHello: true,
  needsTls: true,
  stallStep: 'rcpt',
  handle(s, args) {
    if (s.mailFrom === undefined) return s.reply('503', '5.5.1 Error: need MAIL command');
    const path = /^TO:\s*(.*)$/i.exec(args);
    const parsed = path ? PATH.exec(path[1]!.trim()) : null;
    if (!parsed || !parsed[1]) return s.reply('501', '5.1.3 Bad recipient address syntax');
    if (s.rcpts.length >= MAX_RECIPIENTS) return s.reply('452', '4.5.3 Error: too many recipients');
    const reject = s.fault('reject-rcpt');
    if (reject && (reject.match === undefined || parsed[1].includes(reject.match))) {
      const [status, text] = RCPT_REPLIES[reject.code];
      return s.carriedOut(reject, s.reply(reject.code, `${status} <${parsed[1]}>: ${text}`));
    }
    s.rcpts.push(parsed[1]);
    return s.reply('250', '2.1.5 Ok');
  },
};

/** RFC 5321 §4.1.1.4: DATA, then the message until a line holding only ".". */
export const DATA: CommandSpec = {
  verb: 'DATA',
  needsHello: true,
  needsTls: true,
  stallStep: 'data',
  lastInGroup: true,
  handle(s, args) {
    if (args) return s.reply('501', '5.5.4 Syntax: DATA');
    if (s.mailFrom === undefined) return s.reply('503', '5.5.1 Error: need RCPT command');
    if (!s.rcpts.length) return s.reply('554', '5.5.1 Error: no valid recipients');
    s.data = { lines: [], bytes: 0, tooBig: false, chunk: -1 };
    return s.reply('354', 'End data with <CR><LF>.<CR><LF>');
  },
};
