/**
 * Errors have stable codes and three kinds: the client misbehaved
 * (a verdict, not an exception), the harness broke, or the user's input is wrong.
 */
export type UsageCode =
  | 'SUITE_SYNTAX'
  | 'SUITE_INVALID'
  | 'CATALOGUE_INCONSISTENT'
  | 'UNKNOWN_CLIENT'
  | 'CLIENT_UNAVAILABLE'
  | 'BAD_FLAG'
  | 'UNKNOWN_CASE';

/** The user's input is wrong: exit 2, and the message says where. */
export class UsageError extends Error {
  constructor(
    readonly code: UsageCode,
    message: string,
  ) {
    super(message);
    this.name = 'UsageError';
  }
}

export type HarnessCode = 'SERVER_START' | 'SERVER_CRASH' | 'CLIENT_SPAWN' | 'JUDGE' | 'INTERNAL';

/** The harness or a server broke: reported as an error, never blamed on the client. */
export class HarnessError extends Error {
  constructor(
    readonly code: HarnessCode,
    message: string,
  ) {
    super(message);
    this.name = 'HarnessError';
  }
}
