import { LineCounter, parseDocument, isNode, visit, type Document } from 'yaml';

/** A parsed YAML file that can say on which line a path of keys sits. */
export class YamlSource {
  private readonly lines = new LineCounter();
  readonly doc: Document;

  constructor(
    readonly file: string,
    private readonly text: string,
  ) {
    this.doc = parseDocument(text, { lineCounter: this.lines, prettyErrors: false, uniqueKeys: true });
  }

  /** 1-based line of the deepest existing node on `path` (missing fields point at their parent). */
  lineOf(path: readonly PropertyKey[]): number {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = this.doc.getIn(path.slice(0, depth) as (string | number)[], true);
      if (isNode(node) && node.range) return this.lines.linePos(node.range[0]).line;
    }
    return 1;
  }

  /**
   * Syntax errors, each with its line. With prettyErrors off the parser sets
   * no `linePos`, so the line comes from the error's offset (it used to read
   * `linePos` and say line 1 for every syntax error).
   */
  syntaxErrors(): { line: number; message: string }[] {
    const found: { line: number; last: number; message: string }[] = [];
    for (const e of this.doc.errors) {
      let line = this.lines.linePos(e.pos[0]).line;
      const last = this.lines.linePos(e.pos[1]).line;
      let message = e.message.split('\n')[0] ?? e.message;
      // An unclosed [ or { is noticed lines later, where the block goes on: name the line it was opened on.
      const closer = /end with an? ([\]}])/.exec(message)?.[1];
      const opened = closer ? unclosedOpener(this.text, e.pos[0], closer === ']' ? '[' : '{') : undefined;
      if (opened !== undefined) {
        line = this.lines.linePos(opened).line;
        message = `the ${closer === ']' ? '[' : '{'} opened on this line is not closed with ${closer}`;
      }
      // One error per line (what follows a first error there is its echo), with the lines it runs over.
      const same = found.find((f) => f.line === line);
      if (same) same.last = Math.max(same.last, last);
      else found.push({ line, last, message });
    }
    return found.map((f) => ({
      line: f.line,
      message: f.last > f.line ? `${f.message} (lines ${f.line}–${f.last})` : f.message,
    }));
  }

  /**
   * A suite is plain data: an explicit tag (`!!js/function`, `!!binary`,
   * `!custom`) never becomes code or a non-JSON value, it is an error.
   */
  tagErrors(): { line: number; message: string }[] {
    const found: { line: number; message: string }[] = [];
    visit(this.doc, {
      Node: (_key, node) => {
        if (!node.tag) return;
        const tag = node.tag.replace(/^tag:yaml\.org,2002:/, '!!');
        found.push({
          line: node.range ? this.lines.linePos(node.range[0]).line : 1,
          message: `tag ${tag} is not allowed: a suite file is plain data (strings, numbers, booleans, lists, maps)`,
        });
      },
    });
    return found;
  }

  /**
   * The document as plain values. Aliases are expanded at most MAX_ALIASES
   * times (yaml's guard against "billion laughs"); past that, an error with
   * the line of the first alias.
   */
  toJS(): { value: unknown } | { error: { line: number; message: string } } {
    try {
      return { value: this.doc.toJS({ maxAliasCount: MAX_ALIASES }) };
    } catch (err) {
      let line = 1;
      visit(this.doc, {
        Alias: (_key, node) => {
          line = node.range ? this.lines.linePos(node.range[0]).line : 1;
          return visit.BREAK;
        },
      });
      return { error: { line, message: (err as Error).message } };
    }
  }
}

/**
 * Offset of the last `open` bracket before `end` that nothing closes, outside
 * quotes and comments; undefined when there is none.
 */
function unclosedOpener(text: string, end: number, open: '[' | '{'): number | undefined {
  const stack: { char: string; at: number }[] = [];
  let quote: string | undefined;
  for (let i = 0; i < end; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === '#' && (i === 0 || /\s/.test(text[i - 1]!))) {
      while (i < end && text[i] !== '\n') i++;
    } else if ((ch === '"' || ch === "'") && (i === 0 || /[\s[{,:]/.test(text[i - 1]!))) quote = ch;
    else if (ch === '[' || ch === '{') stack.push({ char: ch, at: i });
    else if ((ch === ']' || ch === '}') && stack.length) stack.pop();
  }
  return stack.reverse().find((s) => s.char === open)?.at;
}

/** How many times aliases may be expanded in one suite file. */
const MAX_ALIASES = 100;
