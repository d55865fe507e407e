/**
 * The command registry: every verb the server knows, as data. The dispatcher
 * (machine.ts) runs the same chain of checks for each before its handler, and
 * EHLO's keyword list comes from capabilities.ts, which the `capability` field
 * of these entries points into.
 */
import { AUTH } from './commands/auth.js';
import { NOOP, QUIT, RSET } from './commands/basic.js';
import { EHLO, HELO } from './commands/hello.js';
import { STARTTLS } from './commands/starttls.js';
import { DATA, MAIL, RCPT } from './commands/transaction.js';
import type { CommandSpec } from './commands/types.js';

export const COMMANDS: ReadonlyMap<string, CommandSpec> = new Map(
  [EHLO, HELO, STARTTLS, AUTH, MAIL, RCPT, DATA, RSET, NOOP, QUIT].map((c) => [c.verb, c]),
);

export type { CommandSpec, StallStep } from './commands/types.js';
