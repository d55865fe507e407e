/**
 * The command registry: every command the server knows. A command gated by a
 * capability (ID, ENABLE, UNSELECT) is accepted only while its capability is
 * listed (policy.ts), so what is advertised and what is accepted agree.
 */
import type { CommandDef } from './commands/types.js';
import { SESSION_COMMANDS } from './commands/session.js';
import { LOGIN_COMMANDS } from './commands/login.js';
import { MAILBOX_COMMANDS } from './commands/mailbox.js';

export const COMMANDS: ReadonlyMap<string, CommandDef> = new Map(
  [...SESSION_COMMANDS, ...LOGIN_COMMANDS, ...MAILBOX_COMMANDS].map((c) => [c.verb, c]),
);
