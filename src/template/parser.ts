import type { Expr, FilterCall, Stmt, Target, Template } from './ast.js';
import { type LexOptions, tokenize } from './lexer.js';
import { ExprParser } from './parse-expr.js';
import { TokenStream } from './token-stream.js';

/** Statement-level parser: text, `{{ }}` and the `{% %}` tags ovnctl supports. */
class Parser {
  private readonly s: TokenStream;
  private readonly e: ExprParser;

  constructor(tokens: ReturnType<typeof tokenize>) {
    this.s = new TokenStream(tokens);
    this.e = new ExprParser(this.s);
  }

  template(): Template {
    const body = this.subparse([]);
    if (this.s.current.type !== 'eof') this.s.fail('unexpected tag');
    return { body };
  }

  /** Parses until a block tag named in `ends` (left unconsumed, after `{%`) or the end. */
  private subparse(ends: string[]): Stmt[] {
    const body: Stmt[] = [];
    for (;;) {
      const t = this.s.current;
      if (t.type === 'eof') {
        if (ends.length > 0)
          this.s.fail(`unexpected end of template, expected ${ends.map((e) => `'${e}'`).join(' or ')}`);
        return body;
      }
      if (t.type === 'data') {
        body.push({ kind: 'text', text: this.s.next().value });
      } else if (t.type === 'var_begin') {
        this.s.next();
        const expr = this.e.tuple(true);
        this.s.expect('var_end');
        body.push({ kind: 'output', expr, line: t.line });
      } else {
        this.s.expect('block_begin');
        const name = this.s.current;
        if (name.type === 'name' && ends.includes(name.value)) return body;
        body.push(this.statement());
      }
    }
  }

  private statement(): Stmt {
    const t = this.s.expectName();
    switch (t.value) {
      case 'if':
        return this.ifStmt(t.line);
      case 'for':
        return this.forStmt(t.line);
      case 'set':
        return this.setStmt(t.line);
      case 'with':
        return this.withStmt(t.line);
      default:
        return this.s.fail(`encountered unknown or unsupported tag '${t.value}'`);
    }
  }

  private endTag(name: string): void {
    this.s.expectName(name);
    this.s.expect('block_end');
  }

  private ifStmt(line: number): Stmt {
    const branches: { test: Expr; body: Stmt[] }[] = [];
    let otherwise: Stmt[] | null = null;
    let test = this.e.tuple(false);
    for (;;) {
      this.s.expect('block_end');
      const body = this.subparse(['elif', 'else', 'endif']);
      branches.push({ test, body });
      const tag = this.s.next().value;
      if (tag === 'elif') {
        test = this.e.tuple(false);
        continue;
      }
      if (tag === 'else') {
        this.s.expect('block_end');
        otherwise = this.subparse(['endif']);
        this.endTag('endif');
      } else {
        this.s.expect('block_end');
      }
      return { kind: 'if', branches, otherwise, line };
    }
  }

  private assignTarget(allowNamespace: boolean, endName?: string): Target {
    const parens = this.s.skipOp('(');
    const first = this.s.expectName().value;
    if (allowNamespace && this.s.isOp('.')) {
      this.s.next();
      return { kind: 'nsattr', ns: first, attr: this.s.expectName().value };
    }
    const names = [first];
    let tuple = parens;
    while (this.s.skipOp(',')) {
      tuple = true;
      if (this.s.isOp(')') || (endName !== undefined && this.s.isName(endName)) || this.s.isOp('=')) break;
      names.push(this.s.expectName().value);
    }
    if (parens) this.s.expectOp(')');
    return tuple ? { kind: 'tuple', names } : { kind: 'name', name: first };
  }

  private forStmt(line: number): Stmt {
    const target = this.assignTarget(false, 'in');
    this.s.expectName('in');
    const iter = this.e.tuple(false, ['recursive']);
    const filter = this.s.skipName('if') ? this.e.expression() : null;
    if (this.s.isName('recursive')) this.s.fail('recursive loops are not supported');
    this.s.expect('block_end');
    const body = this.subparse(['endfor', 'else']);
    let otherwise: Stmt[] | null = null;
    if (this.s.next().value === 'else') {
      this.s.expect('block_end');
      otherwise = this.subparse(['endfor']);
      this.endTag('endfor');
    } else {
      this.s.expect('block_end');
    }
    return { kind: 'for', target, iter, filter, body, otherwise, line };
  }

  private setStmt(line: number): Stmt {
    const target = this.assignTarget(true);
    if (this.s.skipOp('=')) {
      const value = this.e.tuple(true);
      this.s.expect('block_end');
      return { kind: 'set', target, value, line };
    }
    const filters: FilterCall[] = [];
    while (this.s.isOp('|')) {
      const fline = this.s.next().line;
      const name = this.s.expectName().value;
      const call = this.s.isOp('(') ? this.e.callArgs() : { args: [], kwargs: [] };
      filters.push({ name, ...call, line: fline });
    }
    this.s.expect('block_end');
    const body = this.subparse(['endset']);
    this.endTag('endset');
    return { kind: 'setblock', target, body, filters, line };
  }

  private withStmt(line: number): Stmt {
    const assigns: [string, Expr][] = [];
    while (this.s.current.type !== 'block_end') {
      if (assigns.length > 0) this.s.expectOp(',');
      const name = this.s.expectName().value;
      this.s.expectOp('=');
      assigns.push([name, this.e.expression()]);
    }
    this.s.expect('block_end');
    const body = this.subparse(['endwith']);
    this.endTag('endwith');
    return { kind: 'with', assigns, body, line };
  }
}

export function parseTemplate(src: string, opts: LexOptions): Template {
  return new Parser(tokenize(src, opts)).template();
}

/** A bare expression, as in `when:`; trailing tokens are an error. */
export function parseExpression(src: string): Expr {
  const tokens = tokenize(`{{ ${src} }}`, { trimBlocks: false, rawVariableStrings: false });
  const s = new TokenStream(tokens);
  s.expect('var_begin');
  const expr = new ExprParser(s).tuple(true);
  s.expect('var_end');
  if (s.current.type !== 'eof') s.fail('unexpected text after the expression');
  return expr;
}
