/**
 * The command registry: every command the server knows, and the FEAT list
 * built from it (RFC 2389 §3.2), so that what is advertised and what is
 * accepted come from one table.
 */
import type { CommandDef } from './commands/types.js';
import { SECURITY_COMMANDS } from './commands/security.js';
import { LOGIN_COMMANDS } from './commands/login.js';
import { BASIC_COMMANDS } from './commands/basic.js';
import { DATA_COMMANDS_DEFS } from './commands/data.js';
import type { FtpsContext } from './session.js';

export const COMMANDS: ReadonlyMap<string, CommandDef> = new Map(
  [...SECURITY_COMMANDS, ...LOGIN_COMMANDS, ...BASIC_COMMANDS, ...DATA_COMMANDS_DEFS].map((c) => [c.verb, c]),
);

/** AUTH refused as an unknown command (500, 502): whoever refuses it that way does not advertise it (RFC 4217 §6). */
function authStripped(ctx: FtpsContext): boolean {
  const refused = ctx.fault('auth-refused');
  return refused !== undefined && (refused.code === '500' || refused.code === '502');
}

/** FEAT lines: from the registry, leaving out what this case switched off (no TLS, refused data commands). */
export function featLines(ctx: FtpsContext): string[] {
  const lines: string[] = [];
  for (const c of COMMANDS.values()) {
    if (!c.feat) continue;
    if (['AUTH', 'PBSZ', 'PROT'].includes(c.verb) && (ctx.options.tls === 'none' || authStripped(ctx))) continue;
    if ((c.verb === 'EPSV' || c.verb === 'EPRT') && !ctx.options.dataCommands.includes(c.verb)) continue;
    lines.push(c.feat);
    // vsftpd advertises both AUTH mechanisms.
    if (c.verb === 'AUTH') lines.push('AUTH SSL');
  }
  return lines.map((l) => ` ${l}`).concat(' UTF8');
}
