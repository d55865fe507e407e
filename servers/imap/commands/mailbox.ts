/** SELECT, EXAMINE, LIST (authenticated state), CLOSE, UNSELECT (selected): one mailbox, INBOX (RFC 9051 §6.3, §6.4). */
import type { MachineOutput } from '../../shared/line-session.js';
import { astring } from '../parse.js';
import { UID_VALIDITY } from '../mailbox.js';
import type { ImapContext } from '../session.js';
import { stall, stallAt, tagged } from '../session.js';
import type { Command, CommandDef } from './types.js';
import { foreignTag } from './foreign-tag.js';
import { FETCH_COMMANDS } from './fetch.js';

const AUTHENTICATED = ['authenticated', 'selected'] as const;
const FLAGS = '(\\Answered \\Flagged \\Deleted \\Seen \\Draft)';

/** RFC 9051 §5.1: "INBOX" in any case is INBOX. */
const isInbox = (name: string): boolean => name.toUpperCase() === 'INBOX';

/**
 * RFC 9051 §6.3.2 / RFC 3501 §6.3.1: the untagged data SELECT and EXAMINE
 * must send before their OK: FLAGS, EXISTS, the UID codes, and RECENT (rev1)
 * or LIST (rev2, once enabled).
 */
function open(ctx: ImapContext, cmd: Command, readOnly: boolean): MachineOutput {
  const stalling = stallAt(ctx, 'select');
  if (stalling) return stall(ctx, stalling);
  const name = astring(cmd.tokens?.[0]);
  if (name === undefined || cmd.tokens!.length !== 1)
    return tagged(ctx, cmd.tag, 'BAD', `Error in IMAP command ${cmd.verb}: Invalid arguments.`);
  // A SELECT that fails leaves no mailbox selected (§6.3.2).
  ctx.state.state = 'authenticated';
  if (!isInbox(name)) return tagged(ctx, cmd.tag, 'NO', `[NONEXISTENT] Mailbox doesn't exist: ${name.slice(0, 64)}`);
  ctx.state.state = 'selected';
  ctx.state.readOnly = readOnly;
  const count = ctx.messages.length;
  const data = [
    `* FLAGS ${FLAGS}`,
    `* OK [PERMANENTFLAGS ${readOnly ? '()' : FLAGS.replace(')', ' \\*)')}] Flags permitted.`,
    `* ${count} EXISTS`,
    // RFC 3501's RECENT, or RFC 9051's LIST: the revision the client is speaking (§7.2.2).
    ctx.state.rev2 ? '* LIST () "/" INBOX' : '* 0 RECENT',
    `* OK [UIDVALIDITY ${UID_VALIDITY}] UIDs valid`,
    `* OK [UIDNEXT ${count + 1}] Predicted next UID`,
  ];
  const verb = cmd.verb === 'SELECT' ? 'Select' : 'Examine';
  return foreignTag(
    ctx,
    'select',
    tagged(ctx, cmd.tag, 'OK', `[${readOnly ? 'READ-ONLY' : 'READ-WRITE'}] ${verb} completed.`, { data }),
  );
}

/** The LIST pattern as a regular expression: "*" matches anything, "%" anything but the delimiter (RFC 9051 §6.3.9). */
function patternMatches(pattern: string, name: string): boolean {
  const re = pattern
    .replace(/[.+?^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/%/g, '[^/]*');
  return new RegExp(`^${re}$`, 'i').test(name);
}

/** RFC 9051 §6.3.9, minimal: INBOX is the only mailbox; an empty pattern asks for the delimiter. */
const LIST: CommandDef = {
  verb: 'LIST',
  states: AUTHENTICATED,
  handle(ctx, cmd) {
    const [reference, pattern] = [astring(cmd.tokens?.[0]), astring(cmd.tokens?.[1])];
    if (reference === undefined || pattern === undefined)
      return tagged(ctx, cmd.tag, 'BAD', 'Error in IMAP command LIST: Invalid arguments.');
    if (pattern === '') return tagged(ctx, cmd.tag, 'OK', 'List completed.', { data: ['* LIST (\\Noselect) "/" ""'] });
    const data = patternMatches(`${reference}${pattern}`, 'INBOX') ? ['* LIST (\\HasNoChildren) "/" INBOX'] : [];
    return tagged(ctx, cmd.tag, 'OK', 'List completed.', { data });
  },
};

/** CLOSE (§6.4.1; nothing is deleted here, so nothing is expunged) and UNSELECT (RFC 3691). */
const leave =
  (verb: string): CommandDef['handle'] =>
  (ctx, cmd) => {
    ctx.state.state = 'authenticated';
    return tagged(ctx, cmd.tag, 'OK', `${verb} completed.`);
  };

export const MAILBOX_COMMANDS: readonly CommandDef[] = [
  { verb: 'SELECT', states: AUTHENTICATED, handle: (ctx, cmd) => open(ctx, cmd, false) },
  { verb: 'EXAMINE', states: AUTHENTICATED, handle: (ctx, cmd) => open(ctx, cmd, true) },
  LIST,
  { verb: 'CLOSE', states: ['selected'], handle: leave('Close') },
  { verb: 'UNSELECT', capability: 'UNSELECT', states: ['selected'], handle: leave('Unselect') },
  ...FETCH_COMMANDS,
];
