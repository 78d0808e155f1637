import { exprLabel, getAttr, getItem, getSlice } from './access.js';
import type { Expr } from './ast.js';
import { templateError } from './errors.js';
import { FILTERS } from './filters/index.js';
import type { Frame } from './frame.js';
import { callMethod } from './methods.js';
import { isOwned, markOwned } from './owned.js';
import { printf } from './python/format.js';
import { arith, concat, negate, pyCompare, pyContains, pyEq, truthy } from './python/ops.js';
import { pyStr } from './python/str.js';
import { isDict, typeName } from './python/types.js';
import { BoundMethod, isTuple, makeTuple, PyFunction } from './python/values.js';
import { type Runtime, shortName } from './runtime.js';
import { TESTS } from './tests.js';
import { Undefined } from './undefined.js';

type Kw = Record<string, unknown>;

const ACCEPTS_UNDEFINED = new Set(['default', 'd', 'mandatory']);
const MUTATORS = new Set(['append', 'extend', 'insert', 'pop', 'remove', 'update', 'setdefault']);

function compareOp(op: string, a: unknown, b: unknown): boolean {
  switch (op) {
    case '==':
      return pyEq(a, b);
    case '!=':
      return !pyEq(a, b);
    case 'in':
      return pyContains(b, a);
    case 'notin':
      return !pyContains(b, a);
    case '<':
      return pyCompare(a, b, op) < 0;
    case '<=':
      return pyCompare(a, b, op) <= 0;
    case '>':
      return pyCompare(a, b, op) > 0;
    default:
      return pyCompare(a, b, op) >= 0;
  }
}

function dictKey(k: unknown): string {
  if (typeof k === 'string') return k;
  if (Array.isArray(k) && !isTuple(k)) throw templateError("unhashable type: 'list'");
  if (isDict(k)) throw templateError("unhashable type: 'dict'");
  if (k instanceof Undefined) k.fail();
  return pyStr(k);
}

/** Evaluates expressions against a frame; also the Runtime handed to filters and tests. */
export class Evaluator implements Runtime {
  /** The last key each dynamic subscript evaluated to, for naming undefined values. */
  private readonly keys = new Map<Expr, unknown>();

  constructor(readonly frame: Frame) {}

  get env() {
    return this.frame.env;
  }

  eval(e: Expr): unknown {
    switch (e.kind) {
      case 'const':
        return e.value;
      case 'name':
        return this.frame.lookup(e.name);
      case 'list':
        return markOwned(e.items.map((i) => this.eval(i)));
      case 'tuple':
        return makeTuple(e.items.map((i) => this.eval(i)));
      case 'dict': {
        const out: Kw = {};
        for (const [k, v] of e.pairs) out[dictKey(this.eval(k))] = this.eval(v);
        return markOwned(out);
      }
      case 'getattr':
        return getAttr(this.eval(e.obj), e.attr, () => exprLabel(e.obj, this.keys), this.env);
      case 'getitem': {
        const obj = this.eval(e.obj);
        if (e.index.kind === 'slice') {
          const { start, stop, step } = e.index;
          const ev = (x: Expr | null) => (x === null ? null : this.eval(x));
          return getSlice(obj, ev(start), ev(stop), ev(step));
        }
        const key = this.eval(e.index);
        if (e.index.kind !== 'const') this.keys.set(e.index, key);
        return getItem(obj, key, () => exprLabel(e.obj, this.keys), this.env);
      }
      case 'slice':
        throw templateError('a slice is only valid inside []');
      case 'call':
        return this.call(this.eval(e.fn), this.evalArgs(e.args), this.evalKwargs(e.kwargs), e);
      case 'filter':
        return this.filter(e.name, this.eval(e.value), this.evalArgs(e.args), this.evalKwargs(e.kwargs));
      case 'test':
        return this.test(e.name, this.eval(e.value), this.evalArgs(e.args), this.evalKwargs(e.kwargs));
      case 'not':
        return !truthy(this.eval(e.operand));
      case 'neg':
        return negate(this.eval(e.operand), e.op);
      case 'binop':
        return this.binop(e.op, this.eval(e.left), this.eval(e.right));
      case 'and': {
        const l = this.eval(e.left);
        return truthy(l) ? this.eval(e.right) : l;
      }
      case 'or': {
        const l = this.eval(e.left);
        return truthy(l) ? l : this.eval(e.right);
      }
      case 'compare': {
        let left = this.eval(e.first);
        for (const [op, rhs] of e.ops) {
          const right = this.eval(rhs);
          if (!compareOp(op, left, right)) return false;
          left = right;
        }
        return true;
      }
      case 'cond':
        if (truthy(this.eval(e.test))) return this.eval(e.ifTrue);
        if (e.otherwise) return this.eval(e.otherwise);
        return new Undefined(
          '(inline if)',
          `the inline if-expression on line ${e.line} evaluated to false and no else section was defined`,
          true,
        );
    }
  }

  private binop(op: string, l: unknown, r: unknown): unknown {
    if (op === '~') return concat(l, r);
    if (op === '%' && typeof l === 'string') return printf(l, r);
    return arith(op, l, r);
  }

  evalArgs(args: Expr[]): unknown[] {
    return args.map((a) => this.eval(a));
  }

  evalKwargs(kwargs: [string, Expr][]): Kw {
    const out: Kw = {};
    for (const [k, v] of kwargs) out[k] = this.eval(v);
    return out;
  }

  private call(fn: unknown, args: unknown[], kwargs: Kw, e: Expr & { kind: 'call' }): unknown {
    if (fn instanceof BoundMethod) return callMethod(this.receiver(fn), fn.name, args, kwargs);
    if (fn instanceof PyFunction) return fn.call(args, kwargs);
    if (fn instanceof Undefined) fn.fail();
    throw templateError(`'${typeName(fn)}' object is not callable (${exprLabel(e.fn)})`);
  }

  /**
   * The object a method runs on: a list or dict from vars is copied before `append`/`update`
   * change it, and the names bound to it are rebound to the copy.
   */
  private receiver(m: BoundMethod): unknown {
    const self = m.self;
    if (!MUTATORS.has(m.name) || typeof self !== 'object' || self === null || isOwned(self)) return self;
    const copy = markOwned(Array.isArray(self) ? [...self] : { ...(self as Kw) });
    if (!this.frame.rebind(self, copy)) {
      throw templateError(
        `cannot call ${m.name}() on part of a variable; copy it into a name first, e.g. {% set copy = value | combine({}) %}`,
      );
    }
    return copy;
  }

  filter(name: string, value: unknown, args: unknown[], kwargs: Kw): unknown {
    const short = shortName(name);
    const fn = FILTERS[short];
    if (!fn) throw templateError(`no filter named '${name}'`);
    if (value instanceof Undefined && !ACCEPTS_UNDEFINED.has(short)) value.fail();
    return fn(value, args, kwargs, this);
  }

  test(name: string, value: unknown, args: unknown[], kwargs: Kw): unknown {
    const fn = TESTS[shortName(name)];
    if (!fn) throw templateError(`no test named '${name}'`);
    return fn(value, args, kwargs, this);
  }

  getitem(obj: unknown, key: unknown): unknown {
    return getItem(obj, key, () => '(item)', this.env);
  }
}
