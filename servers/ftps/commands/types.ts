import type { RecordedEvent } from '../../shared/line-session.js';
import type { FtpOutput, FtpsContext } from '../session.js';

/**
 * One FTP command: a record in the registry (ftp-srv's `{directive, handler,
 * flags}`), from which FEAT is built (RFC 2389 §3.2), so that advertising and
 * accepting cannot drift apart.
 */
export interface CommandDef {
  verb: string;
  /** The FEAT line that advertises it; RFC 959 commands have none. */
  feat?: string;
  /** Accepted before login (RFC 959 §5.4 lists the sequences). Default false. */
  beforeLogin?: boolean;
  /** Its arguments hold a secret: what of them may be recorded. */
  redact?(args: string): string;
  /** Events recorded whatever the answer, because of what crossed the wire. */
  evidence?(ctx: FtpsContext, args: string): RecordedEvent[];
  handle(ctx: FtpsContext, args: string): FtpOutput;
}
