import { UsageError } from '../errors.js';

/** POSIX §2.2.3: inside double quotes a backslash escapes only these (and a newline, which it removes). */
const DQUOTE_ESCAPES = new Set(['$', '`', '"', '\\', '\n']);

/**
 * Splits a command line into argv as a POSIX shell splits words, without
 * running a shell (POSIX.1-2017 XCU §2.2 Quoting): blanks separate words; a
 * backslash outside quotes keeps the next character literal (and joins lines
 * at a newline); single quotes keep everything literal; inside double quotes
 * a backslash escapes only $ ` " \ and newline and is kept before anything
 * else. `a\ b`, `"a b"` and `'a b'` are one word; `''` is an empty word.
 * Nothing is expanded: no $VAR, globs, ~ or operators, since no shell runs.
 * (string-argv, used before, left backslashes in place, so `a\ b` was two
 * words and `"say \"hi\""` kept its backslashes.)
 */
export function splitCommand(line: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const unterminated = (what: string): never => {
    throw new UsageError('BAD_FLAG', `command line has an unterminated ${what}: ${line}`);
  };
  while (i < line.length) {
    const ch = line[i]!;
    if (ch === ' ' || ch === '\t' || ch === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else if (ch === '\\') {
      const next = line[i + 1];
      if (next === undefined) {
        // A trailing backslash escapes nothing: kept, as bash keeps it.
        word += '\\';
        inWord = true;
      } else if (next !== '\n') {
        word += next;
        inWord = true;
      }
      i += 2;
    } else if (ch === "'") {
      const end = line.indexOf("'", i + 1);
      if (end < 0) unterminated('single quote');
      word += line.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      inWord = true;
      i++;
      for (;;) {
        if (i >= line.length) unterminated('double quote');
        const c = line[i]!;
        if (c === '"') break;
        if (c === '\\' && i + 1 < line.length && DQUOTE_ESCAPES.has(line[i + 1]!)) {
          if (line[i + 1] !== '\n') word += line[i + 1];
          i += 2;
        } else {
          word += c;
          i++;
        }
      }
      i++;
    } else {
      word += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  return words;
}
