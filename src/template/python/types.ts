import { types as utilTypes } from 'node:util';
import { UnsafeText, VaultedValue } from '../../yaml/tags.js';
import { templateError } from '../errors.js';
import { OMIT } from '../omit.js';
import { defined, Undefined } from '../undefined.js';
import { BoundMethod, isFloat, isTuple, Namespace, type PyDict, PyFloat, PyFunction } from './values.js';

/** A mapping: a plain object or Proxy (hostvars), never one of the wrapper classes. */
export function isDict(v: unknown): v is PyDict {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  return !(
    v instanceof PyFloat ||
    v instanceof Undefined ||
    v instanceof UnsafeText ||
    v instanceof VaultedValue ||
    v instanceof BoundMethod ||
    v instanceof PyFunction ||
    v instanceof Namespace ||
    ArrayBuffer.isView(v) ||
    v instanceof Date
  );
}

/** Python's type name, for error messages and `type_debug`. */
export function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'NoneType';
  if (typeof v === 'string' || v instanceof UnsafeText) return 'str';
  if (typeof v === 'boolean') return 'bool';
  if (typeof v === 'number' || v instanceof PyFloat) return isFloat(v) ? 'float' : 'int';
  if (Array.isArray(v)) return isTuple(v) ? 'tuple' : 'list';
  if (v instanceof Undefined) return 'AnsibleUndefined';
  if (v instanceof BoundMethod) return 'builtin_function_or_method';
  if (v instanceof PyFunction) return 'function';
  if (v instanceof Namespace) return 'Namespace';
  if (v === OMIT) return 'str';
  return 'dict';
}

const SURROGATE = /[\uD800-\uDFFF]/;

/** A string's characters as Python sees them (code points, not UTF-16 units). */
export function chars(s: string): string[] {
  return SURROGATE.test(s) ? Array.from(s) : s.split('');
}

export function strLen(s: string): number {
  return SURROGATE.test(s) ? Array.from(s).length : s.length;
}

/** Python's iter(): lists and tuples as they are, strings by character, dicts by key. */
export function pyIter(v: unknown): unknown[] {
  const x = defined(v);
  if (Array.isArray(x)) return x;
  if (typeof x === 'string') return chars(x);
  if (x instanceof UnsafeText) return chars(x.text);
  if (isDict(x)) return Object.keys(x);
  throw templateError(`'${typeName(x)}' object is not iterable`);
}

export function pyLen(v: unknown): number {
  const x = defined(v);
  if (typeof x === 'string') return strLen(x);
  if (x instanceof UnsafeText) return strLen(x.text);
  if (Array.isArray(x)) return x.length;
  if (isDict(x)) return Object.keys(x).length;
  throw templateError(`object of type '${typeName(x)}' has no len()`);
}

/** A string argument as Python would accept it (UnsafeText is a str). */
export function asString(v: unknown, what: string): string {
  const x = defined(v);
  if (typeof x === 'string') return x;
  if (x instanceof UnsafeText) return x.text;
  throw templateError(`${what} expected a string, got ${typeName(x)}`);
}

/** Own key lookup that also works on the engine's Proxy objects (hostvars), which answer `in`. */
export function hasKey(d: PyDict, key: string): boolean {
  return Object.hasOwn(d, key) || (utilTypes.isProxy(d) && key in d);
}
