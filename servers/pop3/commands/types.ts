import type { MachineOutput, RecordedEvent } from '../../shared/line-session.js';
import type { Keyword } from '../capabilities.js';
import type { Phase, Pop3Context } from '../session.js';

/**
 * One POP3 command: a record in the registry (as ftp-srv's `{directive,
 * handler, flags}`), from which CAPA is built, so that advertising and
 * accepting cannot drift apart except through a named fault.
 */
export interface CommandDef {
  verb: string;
  /**
   * The capability that advertises it, and the line CAPA shows for it; a
   * command without one is core RFC 1939 and always accepted.
   */
  capability?: { keyword: Keyword; line: string };
  /** The phases it is valid in (RFC 1939 §4–§6). */
  phases: readonly Phase[];
  /** Its arguments hold a secret: what of them may be recorded (never the secret). */
  redact?(args: string): string;
  /** A login command: refused before TLS when plaintext login is disabled (`stls-required`). */
  login?: boolean;
  /** Events recorded whatever the answer, because of what crossed the wire (credentials). */
  evidence?(ctx: Pop3Context, args: string): RecordedEvent[];
  handle(ctx: Pop3Context, args: string): MachineOutput;
}
