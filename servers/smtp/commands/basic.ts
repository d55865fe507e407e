import type { CommandSpec } from './types.js';

/** RFC 5321 §4.1.1.5: RSET aborts the transaction. */
export const RSET: CommandSpec = {
  verb: 'RSET',
  handle(s) {
    s.resetTransaction();
    return s.reply('250', '2.0.0 Ok');
  },
};

/** RFC 5321 §4.1.1.9. */
export const NOOP: CommandSpec = {
  verb: 'NOOP',
  lastInGroup: true,
  handle: (s) => s.reply('250', '2.0.0 Ok'),
};

/** RFC 5321 §4.1.1.10: the server answers 221 and closes. */
export const QUIT: CommandSpec = {
  verb: 'QUIT',
  lastInGroup: true,
  handle: (s) => s.reply('221', '2.0.0 Bye', { close: true }),
};
