/**
 * Commander's errors as one line with a hint, never the whole help:
 * `conform: unknown option '--foo' (see conform --help)`. A suggestion it makes
 * ("Did you mean --grep?") is kept on the same line.
 */
export function usageLine(text: string, command: string): string {
  const [first = '', ...rest] = text.trim().split('\n');
  const suggestion = /\(Did you mean (.+?)\?\)/.exec(rest.join(' '));
  return `conform: ${first.replace(/^error: /, '')}${suggestion ? `; did you mean ${suggestion[1]}?` : ''} (see ${command} --help)\n`;
}
