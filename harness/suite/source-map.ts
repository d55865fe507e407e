import { LineCounter, parseDocument, isNode, type Document } from 'yaml';

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
}
