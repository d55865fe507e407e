/**
 * The command registry: every command the server knows, and the CAPA list
 * built from it (RFC 2449 §5), so that what is advertised and what is
 * accepted come from one table.
 */
import { BEHAVIOURS, CAPA_ORDER, type Keyword } from './capabilities.js';
import type { CommandDef } from './commands/types.js';
import { SESSION_COMMANDS } from './commands/session.js';
import { LOGIN_COMMANDS } from './commands/login.js';
import { MAILDROP_COMMANDS } from './commands/maildrop.js';
import { advertises } from './policy.js';
import type { Pop3Context } from './session.js';

export const COMMANDS: ReadonlyMap<string, CommandDef> = new Map(
  [...SESSION_COMMANDS, ...LOGIN_COMMANDS, ...MAILDROP_COMMANDS].map((c) => [c.verb, c]),
);

/** Each keyword's CAPA line: from the commands that carry it, or the keyword alone for a behaviour. */
const LINES: ReadonlyMap<Keyword, string> = new Map([
  ...BEHAVIOURS.map((b) => [b, b] as const),
  ...[...COMMANDS.values()].flatMap((c) => (c.capability ? [[c.capability.keyword, c.capability.line] as const] : [])),
]);

/** The CAPA list for the current layer and state, in Dovecot's order. */
export function capabilityLines(ctx: Pop3Context): string[] {
  return CAPA_ORDER.filter((k) => LINES.has(k) && advertises(ctx, k)).map((k) => LINES.get(k)!);
}
