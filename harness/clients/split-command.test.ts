import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { splitCommand } from './split-command.js';
import { findExecutable } from './which.js';

/** Lines and the argv a POSIX shell makes of them (checked against sh itself below). */
const CASES: [string, string[]][] = [
  ['python3 my_client.py --verbose', ['python3', 'my_client.py', '--verbose']],
  ['  a \t b  ', ['a', 'b']],
  ["\"two words\" 'it''s'", ['two words', 'its']],
  ['a\\ b', ['a b']],
  ['a\\\\b', ['a\\b']],
  ['C:\\\\dir\\\\client.exe', ['C:\\dir\\client.exe']],
  ['\\"quoted\\"', ['"quoted"']],
  ['"say \\"hi\\""', ['say "hi"']],
  ['"a\\\\b"', ['a\\b']],
  ['"\\$HOME and \\`x\\`"', ['$HOME and `x`']],
  ['"keeps \\n and \\t"', ['keeps \\n and \\t']],
  ["'single \\ keeps \\\\ all'", ['single \\ keeps \\\\ all']],
  ['a\\\nb', ['ab']],
  ['\'\' "" x', ['', '', 'x']],
  ['pre"mid dle"\'post\'', ['premid dlepost']],
  ['--re=\\^a\\.b\\$', ['--re=^a.b$']],
  ['trailing\\', ['trailing\\']],
  ['$HOME *.txt ~', ['$HOME', '*.txt', '~']],
];

describe('splitCommand', () => {
  it.each(CASES)('splits %j as a shell would', (line, argv) => {
    expect(splitCommand(line)).toEqual(argv);
  });

  it('refuses an unterminated quote, naming it', () => {
    expect(() => splitCommand('client "open')).toThrow(/unterminated double quote/);
    expect(() => splitCommand("client 'open")).toThrow(/unterminated single quote/);
    expect(() => splitCommand('client "ends in backslash\\"')).toThrow(/unterminated double quote/);
  });

  // The real thing: sh prints each word it made on its own line (no expansion: the cases quote $ and globs, or use none).
  it.skipIf(!findExecutable('sh'))('agrees with sh on every case that expands nothing', () => {
    for (const [line, argv] of CASES.filter(([l]) => !/^\$HOME|trailing/.test(l))) {
      const out = execFileSync('sh', ['-c', `for a in ${line}; do printf '%s\\0' "$a"; done`], { encoding: 'utf8' });
      expect(out.split('\0').slice(0, -1), line).toEqual(argv);
    }
  });
});
