import { LineCounter, parseDocument, isNode, visit, type Document } from 'yaml';

/** A parsed YAML file that can say on which line a path of keys sits. */
export class YamlSource {
  private readonly lines = new LineCounter();
  readonly doc: Document;

  constructor(readonly file: string, text: string) {
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

  /** Syntax errors, each with its line. */
  syntaxErrors(): { line: number; message: string }[] {
    return this.doc.errors.map((e) => ({ line: e.linePos?.[0]?.line ?? 1, message: e.message.split('\n')[0] ?? e.message }));
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
        found.push({ line: node.range ? this.lines.linePos(node.range[0]).line : 1, message: `tag ${tag} is not allowed: a suite file is plain data (strings, numbers, booleans, lists, maps)` });
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

/** How many times aliases may be expanded in one suite file. */
const MAX_ALIASES = 100;
