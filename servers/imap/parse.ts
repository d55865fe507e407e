/**
 * IMAP command lines, pure: the tag and the verb (RFC 9051 §2.2.1), literals
 * gathered across lines (§4.3: "{n}" or LITERAL+'s "{n+}" at the end of a
 * line, then n octets), and the arguments as atoms, quoted strings and
 * literals. The socket shell hands the machine lines without their CRLF; a
 * literal that spans lines is put back together with the CRLFs it held.
 */

/** tag = 1*<any ASTRING-CHAR except "+"> (RFC 9051 §9): printable ASCII but atom-specials other than "]", and "+". */
const TAG = /^[^\x00-\x20\x7f-\xff(){%*"\\+]+$/;
/** A literal's announcement at the end of a line: "{n}" (synchronizing) or "{n+}" (RFC 7888). */
const LITERAL_AT_END = /\{(\d{1,10})(\+?)\}$/;

/** A command put together from its lines: the text around each literal, and the literals. */
export interface Assembled {
  /** texts.length === literals.length + 1; texts[i] ends with the announcement of literals[i]. */
  texts: string[];
  literals: string[];
}

export type Feed =
  | { kind: 'complete'; command: Assembled }
  /** The line announced a literal: a synchronizing one waits for the server's "+" (§7.5). */
  | { kind: 'literal'; size: number; sync: boolean; tag: string }
  /** More octets of a literal arrived; nothing to answer yet. */
  | { kind: 'in-literal' }
  /** The announced literal (or the whole command) is over the limits: refused, and forgotten. */
  | { kind: 'too-large'; sync: boolean; tag: string };

/**
 * Gathers one command at a time from lines, with its literals. Bounded: a
 * literal over `maxLiteral` octets or a command over `maxCommand` is refused
 * before it is read into memory.
 */
export class CommandAssembler {
  private texts: string[] = [];
  private literals: string[] = [];
  private size = 0;
  /** Octets of the current literal still to come, or undefined outside a literal. */
  private remaining: number | undefined;
  private literal = '';

  constructor(
    private readonly maxLiteral: number,
    private readonly maxCommand: number,
  ) {}

  /** Inside a literal: the next line is data, no command. */
  get inLiteral(): boolean {
    return this.remaining !== undefined;
  }

  feed(line: string): Feed {
    let text = line;
    if (this.remaining !== undefined) {
      // The literal takes its octets; a CRLF inside it was eaten by the line reader and is put back.
      if (line.length < this.remaining) {
        const withEnd = `${line}\r\n`.slice(0, this.remaining);
        this.literal += withEnd;
        this.remaining -= withEnd.length;
        if (this.remaining > 0) return { kind: 'in-literal' };
        text = '';
      } else {
        this.literal += line.slice(0, this.remaining);
        text = line.slice(this.remaining);
      }
      this.literals.push(this.literal);
      this.literal = '';
      this.remaining = undefined;
    }
    this.size += text.length + 2;
    this.texts.push(text);
    const announced = LITERAL_AT_END.exec(text);
    if (!announced) return { kind: 'complete', command: this.take() };
    const size = Number(announced[1]);
    const sync = announced[2] !== '+';
    const tag = tagOf(this.texts[0]!) ?? '*';
    if (size > this.maxLiteral || this.size + size > this.maxCommand) {
      this.take();
      return { kind: 'too-large', sync, tag };
    }
    this.size += size;
    this.remaining = size;
    return { kind: 'literal', size, sync, tag };
  }

  /** Forgets a command half read (a synchronizing literal refused, the client told so). */
  reset(): void {
    this.take();
  }

  private take(): Assembled {
    const command = { texts: this.texts, literals: this.literals };
    this.texts = [];
    this.literals = [];
    this.size = 0;
    this.remaining = undefined;
    this.literal = '';
    return command;
  }
}

/** The tag a line opens with, if it is one. */
export function tagOf(line: string): string | undefined {
  const space = line.indexOf(' ');
  const tag = space < 0 ? line : line.slice(0, space);
  return TAG.test(tag) ? tag : undefined;
}

/** The head of a command: its tag, its verb (upper case, ASCII only), and the rest. */
export interface Head {
  tag: string;
  verb: string;
  /** What follows the verb's space in the first text (literals not included). */
  rest: string;
}

/** The tag and verb of a command line; undefined when the line has no valid tag or no verb. */
export function headOf(line: string): Head | undefined {
  const tag = tagOf(line);
  if (tag === undefined || line.length === tag.length) return undefined;
  const after = line.slice(tag.length + 1);
  const space = after.indexOf(' ');
  const word = space < 0 ? after : after.slice(0, space);
  if (!/^[A-Za-z][A-Za-z0-9.-]{0,31}$/.test(word)) return undefined;
  // ASCII only: toUpperCase() would turn a hostile byte such as 0xff into another character.
  const verb = word.replace(/[a-z]/g, (c) => c.toUpperCase());
  return { tag, verb, rest: space < 0 ? '' : after.slice(space + 1) };
}

export type Token =
  | { kind: 'atom'; value: string }
  | { kind: 'string'; value: string }
  | { kind: 'list'; value: string };

/**
 * The arguments after the verb, as tokens (RFC 9051 §4): atoms, quoted
 * strings (with \" and \\), literals, and parenthesized lists kept raw.
 * Returns undefined on a syntax error (an unterminated quote or list, a bare
 * literal announcement without its literal).
 */
export function argumentTokens(command: Assembled, head: Head): Token[] | undefined {
  const tokens: Token[] = [];
  for (let i = 0; i < command.texts.length; i++) {
    let text = i === 0 ? head.rest : command.texts[i]!;
    const literal = command.literals[i];
    if (literal !== undefined) {
      const announced = LITERAL_AT_END.exec(text);
      if (!announced) return undefined;
      text = text.slice(0, announced.index);
    }
    if (!scan(text, tokens)) return undefined;
    if (literal !== undefined) {
      // The announcement must stand as a token of its own (after a space, or first).
      if (text.length && !text.endsWith(' ')) return undefined;
      tokens.push({ kind: 'string', value: literal });
    }
  }
  return tokens;
}

/** Tokens of one stretch of text; false on a syntax error. */
function scan(text: string, out: Token[]): boolean {
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ') {
      i++;
      continue;
    }
    if (c === '"') {
      let value = '';
      let j = i + 1;
      for (; j < text.length && text[j] !== '"'; j++) {
        if (text[j] === '\\') j++;
        if (j < text.length) value += text[j];
      }
      if (j >= text.length) return false;
      out.push({ kind: 'string', value });
      i = j + 1;
      continue;
    }
    if (c === '(') {
      let depth = 0;
      let j = i;
      for (; j < text.length; j++) {
        if (text[j] === '(') depth++;
        if (text[j] === ')' && --depth === 0) break;
      }
      if (j >= text.length) return false;
      out.push({ kind: 'list', value: text.slice(i, j + 1) });
      i = j + 1;
      continue;
    }
    let j = i;
    // An atom runs to the next space; brackets may hold spaces (BODY[HEADER.FIELDS (FROM)]).
    for (let bracket = 0; j < text.length && (text[j] !== ' ' || bracket > 0); j++) {
      if (text[j] === '[') bracket++;
      if (text[j] === ']') bracket--;
    }
    out.push({ kind: 'atom', value: text.slice(i, j) });
    i = j;
  }
  return true;
}

/** An astring argument (atom or string), RFC 9051 §9. */
export function astring(token: Token | undefined): string | undefined {
  return token && token.kind !== 'list' ? token.value : undefined;
}
