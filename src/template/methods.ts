import { templateError } from './errors.js';
import { indexOrFail, intArg, STR_METHODS_TABLE } from './methods-str.js';
import { bindArgs, REQUIRED } from './python/args.js';
import { pyContains, pyEq } from './python/ops.js';
import { pyStr } from './python/str.js';
import { hasKey, isDict, pyIter, typeName } from './python/types.js';
import { makeTuple, type PyDict } from './python/values.js';
import { defined } from './undefined.js';

type Kw = Record<string, unknown>;
const NO_DEFAULT = Symbol('no default');

const LIST: Record<string, (l: unknown[], a: unknown[], k: Kw) => unknown> = {
  index: (l, a, k) => {
    const [x] = bindArgs('index', [['value', REQUIRED]], a, k);
    return indexOrFail(
      l.findIndex((y) => pyEq(y, x)),
      'list.index(x): x',
    );
  },
  count: (l, a, k) => {
    const [x] = bindArgs('count', [['value', REQUIRED]], a, k);
    return l.filter((y) => pyEq(y, x)).length;
  },
  append: (l, a, k) => {
    l.push(bindArgs('append', [['object', REQUIRED]], a, k)[0]);
    return null;
  },
  extend: (l, a, k) => {
    l.push(...pyIter(bindArgs('extend', [['iterable', REQUIRED]], a, k)[0]));
    return null;
  },
  insert: (l, a, k) => {
    const [i, x] = bindArgs(
      'insert',
      [
        ['index', REQUIRED],
        ['object', REQUIRED],
      ],
      a,
      k,
    );
    const n = intArg(i, 'index');
    l.splice(n < 0 ? Math.max(0, l.length + n) : n, 0, x);
    return null;
  },
  pop: (l, a, k) => {
    const [i] = bindArgs('pop', [['index', -1]], a, k);
    const n = intArg(i, 'index');
    const at = n < 0 ? l.length + n : n;
    if (at < 0 || at >= l.length) throw templateError('pop index out of range');
    return l.splice(at, 1)[0];
  },
  remove: (l, a, k) => {
    const [x] = bindArgs('remove', [['value', REQUIRED]], a, k);
    l.splice(
      indexOrFail(
        l.findIndex((y) => pyEq(y, x)),
        'list.remove(x): x',
      ),
      1,
    );
    return null;
  },
  copy: (l) => [...l],
};

const DICT: Record<string, (d: PyDict, a: unknown[], k: Kw) => unknown> = {
  get: (d, a, k) => {
    const [key, dflt] = bindArgs(
      'get',
      [
        ['key', REQUIRED],
        ['default', null],
      ],
      a,
      k,
    );
    return pyContains(d, key) ? d[pyStr(key)] : dflt;
  },
  keys: (d) => Object.keys(d),
  values: (d) => Object.keys(d).map((k) => d[k]),
  items: (d) => Object.keys(d).map((k) => makeTuple([k, d[k]])),
  copy: (d) => ({ ...d }),
  update: (d, a, k) => {
    const [other] = bindArgs('update', [['other', {}]], a, {});
    const src = defined(other);
    if (!isDict(src)) throw templateError(`dict.update() expects a dict, got ${typeName(src)}`);
    Object.assign(d, src, k);
    return null;
  },
  pop: (d, a, k) => {
    const [key, dflt] = bindArgs(
      'pop',
      [
        ['key', REQUIRED],
        ['default', NO_DEFAULT],
      ],
      a,
      k,
    );
    const name = pyStr(key);
    if (!hasKey(d, name)) {
      if (dflt === NO_DEFAULT) throw templateError(`KeyError: ${name}`);
      return dflt;
    }
    const v = d[name];
    delete d[name];
    return v;
  },
  setdefault: (d, a, k) => {
    const [key, dflt] = bindArgs(
      'setdefault',
      [
        ['key', REQUIRED],
        ['default', null],
      ],
      a,
      k,
    );
    const name = pyStr(key);
    if (!hasKey(d, name)) d[name] = dflt;
    return d[name];
  },
};

export const STR_METHODS = new Set(Object.keys(STR_METHODS_TABLE));
export const LIST_METHODS = new Set(Object.keys(LIST));
export const DICT_METHODS = new Set(Object.keys(DICT));

/** Calls a str/list/dict method bound by attribute lookup. */
export function callMethod(self: unknown, name: string, args: unknown[], kwargs: Kw): unknown {
  if (typeof self === 'string')
    return (STR_METHODS_TABLE[name] as (typeof STR_METHODS_TABLE)[string])(self, args, kwargs);
  if (Array.isArray(self)) return (LIST[name] as (typeof LIST)[string])(self, args, kwargs);
  return (DICT[name] as (typeof DICT)[string])(self as PyDict, args, kwargs);
}
