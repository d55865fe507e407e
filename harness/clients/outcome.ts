/** What the harness observed of the client process (or in-process module). */
export interface ClientOutcome {
  /** Exit status; null when killed or hung. */
  exitCode: number | null;
  signal: string | null;
  /** Outlived its time limit and was killed (with its whole process group). */
  hung: boolean;
  durationMs: number;
  /** Bounded captures of what it printed. */
  stdout: string;
  stderr: string;
  /** Bytes printed beyond the capture bound, dropped. */
  droppedBytes: number;
}

/** docs/contract.md: 89 means "this client cannot do what the case asks". */
export const EXIT_UNSUPPORTED = 89;
