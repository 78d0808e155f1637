import type { Expr } from './ast.js';
import { makeTuple, pyFloat } from './python/values.js';
import type { TokenStream } from './token-stream.js';

const NAME_CONSTS: Record<string, unknown> = {
  true: true,
  True: true,
  false: false,
  False: false,
  none: null,
  None: null,
};
const TEST_ARG_TYPES = new Set(['name', 'string', 'int', 'float']);

export type CallArgs = { args: Expr[]; kwargs: [string, Expr][] };

/**
 * Jinja's primaries and postfix forms (literals, `.attr`, `[key]`, calls, `| filter`, `is test`);
 * ExprParser adds the operators on top.
 */
export abstract class PostfixParser {
  constructor(protected readonly s: TokenStream) {}

  abstract expression(): Expr;

  abstract tuple(withCond?: boolean, endNames?: string[], explicitParens?: boolean): Expr;

  protected primary(): Expr {
    const t = this.s.current;
    const line = t.line;
    switch (t.type) {
      case 'name': {
        this.s.next();
        if (Object.hasOwn(NAME_CONSTS, t.value)) return { kind: 'const', value: NAME_CONSTS[t.value], line };
        return { kind: 'name', name: t.value, line };
      }
      case 'string': {
        let value = this.s.next().value;
        while (this.s.current.type === 'string') value += this.s.next().value;
        return { kind: 'const', value, line };
      }
      case 'int':
        this.s.next();
        return { kind: 'const', value: t.num, line };
      case 'float':
        this.s.next();
        return { kind: 'const', value: pyFloat(t.num), line };
      case 'op':
        if (t.value === '(') {
          this.s.next();
          const inner = this.tuple(true, [], true);
          this.s.expectOp(')');
          return inner.kind === 'tuple' && inner.items.every((i) => i.kind === 'const')
            ? {
                kind: 'const',
                value: makeTuple(inner.items.map((i) => (i as { value: unknown }).value)),
                line,
              }
            : inner;
        }
        if (t.value === '[') return this.list();
        if (t.value === '{') return this.dict();
        break;
      default:
        break;
    }
    return this.s.fail('unexpected token');
  }

  protected list(): Expr {
    const line = this.s.expectOp('[').line;
    const items: Expr[] = [];
    while (!this.s.isOp(']')) {
      if (items.length > 0) this.s.expectOp(',');
      if (this.s.isOp(']')) break;
      items.push(this.expression());
    }
    this.s.expectOp(']');
    return { kind: 'list', items, line };
  }

  protected dict(): Expr {
    const line = this.s.expectOp('{').line;
    const pairs: [Expr, Expr][] = [];
    while (!this.s.isOp('}')) {
      if (pairs.length > 0) this.s.expectOp(',');
      if (this.s.isOp('}')) break;
      const key = this.expression();
      this.s.expectOp(':');
      pairs.push([key, this.expression()]);
    }
    this.s.expectOp('}');
    return { kind: 'dict', pairs, line };
  }

  protected postfix(node0: Expr): Expr {
    let node = node0;
    for (;;) {
      if (this.s.isOp('.') || this.s.isOp('[')) node = this.subscript(node);
      else if (this.s.isOp('(')) node = this.call(node);
      else return node;
    }
  }

  protected subscript(obj: Expr): Expr {
    const t = this.s.next();
    if (t.value === '.') {
      const attr = this.s.current;
      this.s.next();
      if (attr.type === 'name') return { kind: 'getattr', obj, attr: attr.value, line: t.line };
      if (attr.type === 'int')
        return {
          kind: 'getitem',
          obj,
          index: { kind: 'const', value: attr.num, line: t.line },
          line: t.line,
        };
      return this.s.fail('expected name or number');
    }
    const indexes: Expr[] = [];
    while (!this.s.isOp(']')) {
      if (indexes.length > 0) this.s.expectOp(',');
      indexes.push(this.subscribed());
    }
    this.s.expectOp(']');
    const index: Expr =
      indexes.length === 1 && indexes[0] ? indexes[0] : { kind: 'tuple', items: indexes, line: t.line };
    return { kind: 'getitem', obj, index, line: t.line };
  }

  protected subscribed(): Expr {
    const line = this.s.current.line;
    const parts: (Expr | null)[] = [];
    if (this.s.isOp(':')) {
      this.s.next();
      parts.push(null);
    } else {
      const e = this.expression();
      if (!this.s.skipOp(':')) return e;
      parts.push(e);
    }
    const more = () => (this.s.isOp(']') || this.s.isOp(',') || this.s.isOp(':') ? null : this.expression());
    parts.push(more());
    if (this.s.skipOp(':')) parts.push(more());
    return { kind: 'slice', start: parts[0] ?? null, stop: parts[1] ?? null, step: parts[2] ?? null, line };
  }

  callArgs(): CallArgs {
    this.s.expectOp('(');
    const args: Expr[] = [];
    const kwargs: [string, Expr][] = [];
    while (!this.s.isOp(')')) {
      if (args.length + kwargs.length > 0) {
        this.s.expectOp(',');
        if (this.s.isOp(')')) break;
      }
      if (this.s.isOp('*') || this.s.isOp('**')) this.s.fail('*args and **kwargs are not supported');
      if (this.s.current.type === 'name' && this.s.peek().type === 'op' && this.s.peek().value === '=') {
        const key = this.s.next().value;
        this.s.next();
        kwargs.push([key, this.expression()]);
      } else {
        if (kwargs.length > 0) this.s.fail('positional argument after keyword argument');
        args.push(this.expression());
      }
    }
    this.s.expectOp(')');
    return { args, kwargs };
  }

  protected call(fn: Expr): Expr {
    const line = this.s.current.line;
    return { kind: 'call', fn, ...this.callArgs(), line };
  }

  protected dottedName(): string {
    let name = this.s.expectName().value;
    while (this.s.isOp('.')) {
      this.s.next();
      name += `.${this.s.expectName().value}`;
    }
    return name;
  }

  filterExpr(node0: Expr): Expr {
    let node = node0;
    for (;;) {
      if (this.s.isOp('|')) {
        const line = this.s.next().line;
        const name = this.dottedName();
        const { args, kwargs } = this.s.isOp('(') ? this.callArgs() : { args: [], kwargs: [] };
        node = { kind: 'filter', value: node, name, args, kwargs, line };
      } else if (this.s.isName('is')) {
        node = this.test(node);
      } else if (this.s.isOp('(')) {
        node = this.call(node);
      } else {
        return node;
      }
    }
  }

  protected test(value: Expr): Expr {
    const line = this.s.next().line;
    const negated = this.s.skipName('not');
    const name = this.dottedName();
    let call: CallArgs = { args: [], kwargs: [] };
    const t = this.s.current;
    if (this.s.isOp('(')) {
      call = this.callArgs();
    } else if (
      (TEST_ARG_TYPES.has(t.type) ||
        (t.type === 'op' && (t.value === '[' || t.value === '{' || t.value === '('))) &&
      !(t.type === 'name' && (t.value === 'else' || t.value === 'or' || t.value === 'and'))
    ) {
      if (this.s.isName('is')) this.s.fail('you cannot chain multiple tests with is');
      call = { args: [this.postfix(this.primary())], kwargs: [] };
    }
    const node: Expr = { kind: 'test', value, name, ...call, line };
    return negated ? { kind: 'not', operand: node, line } : node;
  }
}
