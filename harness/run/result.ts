import type { ServerEvent } from '../../servers/shared/events.js';
import type { Check } from '../judge/expectations.js';
import type { Status } from '../judge/judge.js';
import type { ClientOutcome } from '../clients/outcome.js';
import type { Level } from '../suite/case.js';
import type { Protocol } from '../protocols.js';

/** Everything known about one case after it ran: what reporters and shard blobs carry. */
export interface CaseResult {
  id: string;
  title: string;
  protocol: Protocol;
  level: Level;
  refs: string[];
  client: string;
  /** `xfail`: failed as the client's known-results file says it would (does not fail the run). */
  status: Status | 'xfail';
  /** Listed as an expected failure or skip but passed: the known-results file is out of date. */
  stale?: string;
  /** One sentence: why it failed, was skipped, or errored. */
  reason?: string;
  /** Harness faults carry a stable code (SERVER_START …). */
  errorCode?: string;
  checks: Check[];
  faults: string[];
  outcome?: ClientOutcome;
  events: ServerEvent[];
  durationMs: number;
  /** The folder its artifacts were written to (transcript, events, key log, capture), when they were kept. */
  artifacts?: string;
  /** A command that reruns exactly this case with the same client. */
  repro: string;
}
