import { types as utilTypes } from 'node:util';
import { UnsafeText, VaultedValue } from '../yaml/tags.js';
import type { Expr } from './ast.js';
import { type Env, resolveValue } from './context.js';
import { templateError } from './errors.js';
import { DICT_METHODS, LIST_METHODS, STR_METHODS } from './methods.js';
import { pyRepr } from './python/str.js';
import { chars, hasKey, isDict } from './python/types.js';
import { BoundMethod, isInt, isTuple, makeTuple, Namespace } from './python/values.js';
import { Undefined } from './undefined.js';

/**
 * Source-like text of an expression, to name what is undefined; `keys` holds the last value of
 * each dynamic subscript so `hostvars[h]` reads `hostvars['infra1']`.
 */
export function exprLabel(e: Expr, keys?: ReadonlyMap<Expr, unknown>): string {
  switch (e.kind) {
    case 'name':
      return e.name;
    case 'getattr':
      return `${exprLabel(e.obj, keys)}.${e.attr}`;
    case 'getitem': {
      const key =
        e.index.kind === 'const'
          ? pyRepr(e.index.value)
          : keys?.has(e.index)
            ? pyRepr(keys.get(e.index))
            : exprLabel(e.index, keys);
      return `${exprLabel(e.obj, keys)}[${key}]`;
    }
    case 'const':
      return pyRepr(e.value);
    case 'filter':
      return `${exprLabel(e.value, keys)} | ${e.name}`;
    case 'call':
      return `${exprLabel(e.fn, keys)}(...)`;
    default:
      return '(expression)';
  }
}

/**
 * A member of a container. Members of the engine's Proxy objects (hostvars) are not in vars'
 * lazily rendered copies, so !unsafe and !vault values are handled here; their templates are
 * the proxy's business (another host's values render in that host's vars, not in ours).
 */
function member(container: object, value: unknown, label: () => string, env: Env): unknown {
  if (!utilTypes.isProxy(container)) return value;
  if (value instanceof UnsafeText) return value.text;
  return value instanceof VaultedValue ? resolveValue(value, label(), env) : value;
}

function methodOf(obj: unknown, name: string): BoundMethod | undefined {
  if (typeof obj === 'string' || obj instanceof UnsafeText) {
    return STR_METHODS.has(name)
      ? new BoundMethod(obj instanceof UnsafeText ? obj.text : obj, name)
      : undefined;
  }
  if (Array.isArray(obj)) {
    const ok = isTuple(obj) ? name === 'count' || name === 'index' : LIST_METHODS.has(name);
    return ok ? new BoundMethod(obj, name) : undefined;
  }
  if (isDict(obj) && DICT_METHODS.has(name)) return new BoundMethod(obj, name);
  return undefined;
}

/** Jinja's `obj.name`: Python attribute first (methods), then item. */
export function getAttr(obj: unknown, name: string, label: () => string, env: Env): unknown {
  if (obj instanceof Undefined) return obj.attr(name);
  const method = methodOf(obj, name);
  if (method) return method;
  if (obj instanceof Namespace) {
    if (Object.hasOwn(obj.attrs, name)) return obj.attrs[name];
  } else if (isDict(obj) && hasKey(obj, name)) {
    return member(obj, obj[name], () => `${label()}.${name}`, env);
  }
  return new Undefined(`${label()}.${name}`);
}

function normIndex(i: number, len: number): number {
  return i < 0 ? i + len : i;
}

/** Jinja's `obj[key]`: item first, then attribute. */
export function getItem(obj: unknown, key0: unknown, label: () => string, env: Env): unknown {
  const key = key0 instanceof UnsafeText ? key0.text : key0;
  if (obj instanceof Undefined) return obj.item(pyRepr(key));
  const missing = () => new Undefined(`${label()}[${pyRepr(key)}]`);
  if (isDict(obj)) {
    const k =
      typeof key === 'string'
        ? key
        : typeof key === 'number' || typeof key === 'boolean'
          ? String(key)
          : null;
    if (k !== null && hasKey(obj, k)) return member(obj, obj[k], () => `${label()}[${pyRepr(key)}]`, env);
  } else if (Array.isArray(obj) || typeof obj === 'string' || obj instanceof UnsafeText) {
    if (isInt(key) || typeof key === 'boolean') {
      const seq = Array.isArray(obj) ? obj : chars(obj instanceof UnsafeText ? obj.text : obj);
      const i = normIndex(Number(key), seq.length);
      if (i >= 0 && i < seq.length) return seq[i];
      return missing();
    }
  } else if (obj instanceof Namespace && typeof key === 'string' && Object.hasOwn(obj.attrs, key)) {
    return obj.attrs[key];
  }
  if (typeof key === 'string') {
    const method = methodOf(obj, key);
    if (method) return method;
  }
  return missing();
}

function sliceBound(v: unknown, what: string): number | null {
  if (v === null || v === undefined) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (!isInt(v)) throw templateError(`slice ${what} must be an integer or None`);
  return v;
}

/** Python's seq[start:stop:step] for lists, tuples and strings. */
export function getSlice(obj: unknown, start0: unknown, stop0: unknown, step0: unknown): unknown {
  if (obj instanceof Undefined) obj.fail();
  const text = typeof obj === 'string' ? obj : obj instanceof UnsafeText ? obj.text : null;
  if (text === null && !Array.isArray(obj)) return new Undefined('(slice)');
  const seq: unknown[] = text !== null ? chars(text) : (obj as unknown[]);
  const len = seq.length;
  const step = sliceBound(step0, 'step') ?? 1;
  if (step === 0) throw templateError('slice step cannot be zero');
  const clamp = (v: number | null, dflt: number, lo: number, hi: number) => {
    if (v === null) return dflt;
    const i = v < 0 ? v + len : v;
    return Math.min(Math.max(i, lo), hi);
  };
  const out: unknown[] = [];
  if (step > 0) {
    const start = clamp(sliceBound(start0, 'start'), 0, 0, len);
    const stop = clamp(sliceBound(stop0, 'stop'), len, 0, len);
    for (let i = start; i < stop; i += step) out.push(seq[i]);
  } else {
    const start = clamp(sliceBound(start0, 'start'), len - 1, -1, len - 1);
    const stop = clamp(sliceBound(stop0, 'stop'), -1, -1, len - 1);
    for (let i = start; i > stop; i += step) out.push(seq[i]);
  }
  if (text !== null) return out.join('');
  return isTuple(obj) ? makeTuple(out) : out;
}
