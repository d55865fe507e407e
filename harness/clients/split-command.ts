import stringArgv from 'string-argv';

/** Splits a command line into argv as a shell would (quotes, escapes), without running a shell. */
export function splitCommand(line: string): string[] {
  return stringArgv(line);
}
