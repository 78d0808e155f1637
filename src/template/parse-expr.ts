import type { Expr } from './ast.js';
import { PostfixParser } from './parse-postfix.js';

const COMPARE_OPS = new Set(['==', '!=', '<', '>', '<=', '>=']);

/** Jinja's expression grammar: operator precedence and quirks as in Jinja 3.1's parser. */
export class ExprParser extends PostfixParser {
  /** A comma list becomes a tuple; `withCond` false stops at `if` (for-loop filters). */
  tuple(withCond = true, endNames: string[] = [], explicitParens = false): Expr {
    const line = this.s.current.line;
    const items: Expr[] = [];
    let isTuple = false;
    for (;;) {
      if (items.length > 0) this.s.expectOp(',');
      if (this.isTupleEnd(endNames)) break;
      items.push(withCond ? this.expression() : this.or());
      if (this.s.isOp(',')) isTuple = true;
      else break;
    }
    if (!isTuple) {
      if (items[0]) return items[0];
      if (!explicitParens) this.s.fail('expected an expression');
    }
    return { kind: 'tuple', items, line };
  }

  private isTupleEnd(endNames: string[]): boolean {
    const t = this.s.current;
    if (t.type === 'var_end' || t.type === 'block_end' || t.type === 'eof') return true;
    if (t.type === 'op' && t.value === ')') return true;
    return t.type === 'name' && endNames.includes(t.value);
  }

  expression(): Expr {
    let expr = this.or();
    while (this.s.isName('if')) {
      const line = this.s.next().line;
      const test = this.or();
      const otherwise = this.s.skipName('else') ? this.expression() : null;
      expr = { kind: 'cond', test, ifTrue: expr, otherwise, line };
    }
    return expr;
  }

  or(): Expr {
    let left = this.and();
    while (this.s.isName('or')) {
      const line = this.s.next().line;
      left = { kind: 'or', left, right: this.and(), line };
    }
    return left;
  }

  private and(): Expr {
    let left = this.not();
    while (this.s.isName('and')) {
      const line = this.s.next().line;
      left = { kind: 'and', left, right: this.not(), line };
    }
    return left;
  }

  private not(): Expr {
    if (this.s.isName('not')) {
      const line = this.s.next().line;
      return { kind: 'not', operand: this.not(), line };
    }
    return this.compare();
  }

  private compare(): Expr {
    const line = this.s.current.line;
    const first = this.math1();
    const ops: [string, Expr][] = [];
    for (;;) {
      const t = this.s.current;
      if (t.type === 'op' && COMPARE_OPS.has(t.value)) {
        this.s.next();
        ops.push([t.value, this.math1()]);
      } else if (this.s.isName('in')) {
        this.s.next();
        ops.push(['in', this.math1()]);
      } else if (this.s.isName('not') && this.s.peek().type === 'name' && this.s.peek().value === 'in') {
        this.s.next();
        this.s.next();
        ops.push(['notin', this.math1()]);
      } else break;
    }
    return ops.length === 0 ? first : { kind: 'compare', first, ops, line };
  }

  private binary(ops: string[], operand: () => Expr): Expr {
    let left = operand();
    for (;;) {
      const t = this.s.current;
      if (t.type !== 'op' || !ops.includes(t.value)) return left;
      this.s.next();
      left = { kind: 'binop', op: t.value, left, right: operand(), line: t.line };
    }
  }

  private math1(): Expr {
    return this.binary(['+', '-'], () => this.concat());
  }

  private concat(): Expr {
    return this.binary(['~'], () => this.math2());
  }

  private math2(): Expr {
    return this.binary(['*', '/', '//', '%'], () => this.pow());
  }

  private pow(): Expr {
    return this.binary(['**'], () => this.unary(true));
  }

  private unary(withFilter: boolean): Expr {
    const t = this.s.current;
    let node: Expr;
    if (t.type === 'op' && (t.value === '-' || t.value === '+')) {
      this.s.next();
      node = { kind: 'neg', op: t.value, operand: this.unary(false), line: t.line };
    } else {
      node = this.primary();
    }
    node = this.postfix(node);
    return withFilter ? this.filterExpr(node) : node;
  }
}
