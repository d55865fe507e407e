import type { MachineOutput } from '../../shared/line-session.js';
import type { STALL_STEPS } from '../faults.js';
import type { Capability } from '../options.js';
import type { Session } from '../session.js';

export type StallStep = (typeof STALL_STEPS)[number];

/** One SMTP command: the registry (registry.ts) is a list of these. */
export interface CommandSpec {
  verb: string;
  /** The EHLO keyword it depends on: when not accepted now, `refusal` answers instead of the handler. */
  capability?: Capability;
  refusal?: (s: Session) => MachineOutput;
  /** Refused with 503 before EHLO/HELO (RFC 5321 §4.1.4). */
  needsHello?: boolean;
  /** Refused with 530 before TLS when the server requires STARTTLS (RFC 3207 §4). */
  needsTls?: boolean;
  /** The stall fault's step this command is. */
  stallStep?: StallStep;
  /** Must end a pipelined group (RFC 2920 §3.1; STARTTLS: RFC 3207 §4.2; AUTH: RFC 4954 §4). */
  lastInGroup?: boolean;
  handle(s: Session, args: string): MachineOutput;
}
