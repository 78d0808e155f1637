import { UnsafeText } from '../../yaml/tags.js';
import { templateError } from '../errors.js';
import { defined, Undefined } from '../undefined.js';
import { pyStr } from './str.js';
import { hasKey, isDict, typeName } from './types.js';
import { isFloat, isNumeric, isTuple, makeTuple, numValue, PyFloat, pyFloat } from './values.js';

/** Python truthiness; using an Undefined this way is an error. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined) return false;
  if (typeof v === 'boolean') return v;
  if (typeof v === 'number') return v !== 0;
  if (typeof v === 'string') return v.length > 0;
  if (v instanceof PyFloat) return v.value !== 0;
  if (Array.isArray(v)) return v.length > 0;
  if (v instanceof Undefined) v.fail();
  if (v instanceof UnsafeText) return v.text.length > 0;
  if (isDict(v)) return Object.keys(v).length > 0;
  return true;
}

function plain(v: unknown): unknown {
  return v instanceof UnsafeText ? v.text : v;
}

/** Python `==`. */
export function pyEq(a0: unknown, b0: unknown): boolean {
  const a = plain(defined(a0));
  const b = plain(defined(b0));
  if (a === b) return true;
  if (isNumeric(a) && isNumeric(b)) return numValue(a) === numValue(b);
  if ((a === null || a === undefined) && (b === null || b === undefined)) return true;
  if (Array.isArray(a) && Array.isArray(b)) {
    if (a.length !== b.length || isTuple(a) !== isTuple(b)) return false;
    return a.every((x, i) => pyEq(x, b[i]));
  }
  if (isDict(a) && isDict(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => hasKey(b, k) && pyEq(a[k], b[k]));
  }
  return false;
}

function unorderable(op: string, a: unknown, b: unknown): never {
  throw templateError(`'${op}' not supported between instances of '${typeName(a)}' and '${typeName(b)}'`);
}

/** Python ordering: -1, 0, 1; TypeError for types Python cannot order. */
export function pyCompare(a0: unknown, b0: unknown, op = '<'): number {
  const a = plain(defined(a0));
  const b = plain(defined(b0));
  if (isNumeric(a) && isNumeric(b)) {
    const x = numValue(a);
    const y = numValue(b);
    return x < y ? -1 : x > y ? 1 : 0;
  }
  if (typeof a === 'string' && typeof b === 'string') return a < b ? -1 : a > b ? 1 : 0;
  if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) {
      if (!pyEq(a[i], b[i])) return pyCompare(a[i], b[i], op);
    }
    return a.length - b.length < 0 ? -1 : a.length > b.length ? 1 : 0;
  }
  return unorderable(op, a, b);
}

/** Python `item in container`. */
export function pyContains(container0: unknown, item0: unknown): boolean {
  const container = plain(defined(container0));
  const item = plain(item0);
  if (typeof container === 'string') {
    if (typeof item !== 'string') {
      throw templateError(`'in <string>' requires string as left operand, not ${typeName(defined(item))}`);
    }
    return container.includes(item);
  }
  if (Array.isArray(container)) return container.some((x) => pyEq(x, item));
  if (isDict(container)) {
    const key = defined(item);
    if (typeof key === 'string') return hasKey(container, key);
    if (isNumeric(key) || key === null) return hasKey(container, pyStr(key));
    if (Array.isArray(key) && !isTuple(key)) throw templateError("unhashable type: 'list'");
    return false;
  }
  throw templateError(`argument of type '${typeName(container)}' is not iterable`);
}

function unsupported(op: string, a: unknown, b: unknown): never {
  throw templateError(`unsupported operand type(s) for ${op}: '${typeName(a)}' and '${typeName(b)}'`);
}

/** Result of an int/float operation: float if either side was a float. */
function numResult(n: number, float: boolean): number | PyFloat {
  return float ? pyFloat(n) : n === 0 ? 0 : n;
}

function repeat(seq: unknown, times: number): unknown {
  const n = Math.max(0, times);
  if (typeof seq === 'string') return seq.repeat(n);
  const arr = seq as unknown[];
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(...arr);
  return isTuple(arr) ? makeTuple(out) : out;
}

function isIntLike(v: unknown): v is number | boolean {
  return typeof v === 'boolean' || (typeof v === 'number' && Number.isInteger(v));
}

/** Python's binary arithmetic operators. */
export function arith(op: string, a0: unknown, b0: unknown): unknown {
  const a = plain(defined(a0));
  const b = plain(defined(b0));
  if (isNumeric(a) && isNumeric(b)) return numericOp(op, a, b);
  if (op === '+') {
    if (typeof a === 'string' && typeof b === 'string') return a + b;
    if (Array.isArray(a) && Array.isArray(b) && isTuple(a) === isTuple(b)) {
      const out = [...a, ...b];
      return isTuple(a) ? makeTuple(out) : out;
    }
  }
  if (op === '*') {
    if ((typeof a === 'string' || Array.isArray(a)) && isIntLike(b)) return repeat(a, Number(b));
    if (isIntLike(a) && (typeof b === 'string' || Array.isArray(b))) return repeat(b, Number(a));
  }
  return unsupported(op, a, b);
}

function numericOp(op: string, a: number | boolean | PyFloat, b: number | boolean | PyFloat): unknown {
  const x = numValue(a);
  const y = numValue(b);
  const float = isFloat(a) || isFloat(b);
  switch (op) {
    case '+':
      return numResult(x + y, float);
    case '-':
      return numResult(x - y, float);
    case '*':
      return numResult(x * y, float);
    case '/':
      if (y === 0) throw templateError('division by zero');
      return pyFloat(x / y);
    case '//':
      if (y === 0)
        throw templateError(float ? 'float floor division by zero' : 'integer division or modulo by zero');
      return numResult(Math.floor(x / y), float);
    case '%': {
      if (y === 0) throw templateError(float ? 'float modulo' : 'integer division or modulo by zero');
      let r = x % y;
      if (r !== 0 && r < 0 !== y < 0) r += y;
      return numResult(r, float);
    }
    case '**':
      if (x === 0 && y < 0) throw templateError('0.0 cannot be raised to a negative power');
      return numResult(x ** y, float || y < 0);
    default:
      throw templateError(`unknown operator ${op}`);
  }
}

export function negate(v0: unknown, op: '-' | '+'): unknown {
  const v = plain(defined(v0));
  if (!isNumeric(v)) throw templateError(`bad operand type for unary ${op}: '${typeName(v)}'`);
  const n = numValue(v);
  return numResult(op === '-' ? -n : n, isFloat(v));
}

/** `~`: both sides through str(). */
export function concat(a: unknown, b: unknown): string {
  return pyStr(defined(a)) + pyStr(defined(b));
}
