import type { MachineOutput, RecordedEvent } from '../../shared/line-session.js';
import type { CapabilityName } from '../capabilities.js';
import type { Assembled, Head, Token } from '../parse.js';
import type { ImapContext, ImapStateName } from '../session.js';

/** A whole command as the client sent it: its head, its lines and literals, and its arguments. */
export interface Command extends Head {
  assembled: Assembled;
  /** The arguments as tokens; undefined on a syntax error. */
  tokens: Token[] | undefined;
  /** The arguments as text, literals shown by their announcement (for records and logs). */
  argText: string;
}

/**
 * One IMAP command: a record in the registry (as ftp-srv's `{directive,
 * handler, flags}`), from which the capability list is built, so that
 * advertising and accepting cannot drift apart except through a named fault.
 */
export interface CommandDef {
  verb: string;
  /** The capability that advertises it; a command without one is IMAP4rev1 core and always accepted. */
  capability?: CapabilityName;
  /** The states it is valid in (RFC 9051 §6.1–§6.4). */
  states: readonly ImapStateName[];
  /** Its arguments hold a secret: what of them may be recorded (never the secret). */
  redact?(command: Command): string;
  /** Events recorded whatever the answer, because of what crossed the wire (credentials). */
  evidence?(ctx: ImapContext, command: Command): RecordedEvent[];
  handle(ctx: ImapContext, command: Command): MachineOutput;
}
