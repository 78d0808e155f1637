import { templateError } from '../errors.js';
import { bindArgs, REQUIRED } from '../python/args.js';
import { arith, pyCompare, truthy } from '../python/ops.js';
import { hasKey, isDict, pyIter, typeName } from '../python/types.js';
import { isTuple, makeTuple, type PyDict } from '../python/values.js';
import type { FilterFn, Runtime } from '../runtime.js';
import { defined, Undefined } from '../undefined.js';
import { attrGetter, intArg } from './args.js';
import { combine } from './combine.js';
import { flatten } from './flatten.js';

function foldCase(v: unknown): unknown {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

function keyedSort(items: unknown[], key: (x: unknown) => unknown, reverse: boolean): unknown[] {
  const keyed = items.map((item) => ({ item, key: key(item) }));
  keyed.sort((a, b) => (reverse ? -1 : 1) * pyCompare(a.key, b.key));
  return keyed.map((k) => k.item);
}

function multiGetter(rt: Runtime, attribute: unknown, fold: boolean): (x: unknown) => unknown {
  const names = typeof attribute === 'string' ? attribute.split(',') : [attribute];
  const getters = names.map((n) => attrGetter(rt, n));
  return (x) => getters.map((g) => (fold ? foldCase(g(x)) : g(x)));
}

function minMax(which: 'min' | 'max'): FilterFn {
  return (value, args, kwargs, rt) => {
    const [cs, attribute] = bindArgs(
      which,
      [
        ['case_sensitive', false],
        ['attribute', null],
      ],
      args,
      kwargs,
    );
    const items = pyIter(value);
    if (items.length === 0) return new Undefined(`(${which})`, 'No aggregated item, sequence was empty.');
    const get = attrGetter(rt, attribute);
    const key = (x: unknown) => (truthy(cs) ? get(x) : foldCase(get(x)));
    let best = items[0];
    let bestKey = key(best);
    for (const item of items.slice(1)) {
      const k = key(item);
      const c = pyCompare(k, bestKey);
      if (which === 'min' ? c < 0 : c > 0) {
        best = item;
        bestKey = k;
      }
    }
    return best;
  };
}

function zipLists(lists: unknown[][], longest: boolean, fill: unknown): unknown[] {
  const n = lists.length === 0 ? 0 : Math[longest ? 'max' : 'min'](...lists.map((l) => l.length));
  const out: unknown[] = [];
  for (let i = 0; i < n; i++) out.push(makeTuple(lists.map((l) => (i < l.length ? l[i] : fill))));
  return out;
}

function product(lists: unknown[][]): unknown[] {
  let acc: unknown[][] = [[]];
  for (const l of lists) acc = acc.flatMap((prefix) => l.map((x) => [...prefix, x]));
  return acc.map((t) => makeTuple(t));
}

export const collectionFilters: Record<string, FilterFn> = {
  flatten: (value, args, kwargs) => {
    const [levels, skip] = bindArgs(
      'flatten',
      [
        ['levels', null],
        ['skip_nulls', true],
      ],
      args,
      kwargs,
    );
    return flatten(pyIter(value), levels === null ? null : intArg(levels, 'levels'), truthy(skip));
  },
  sort: (value, args, kwargs, rt) => {
    const [reverse, cs, attribute] = bindArgs(
      'sort',
      [
        ['reverse', false],
        ['case_sensitive', false],
        ['attribute', null],
      ],
      args,
      kwargs,
    );
    return keyedSort(pyIter(value), multiGetter(rt, attribute, !truthy(cs)), truthy(reverse));
  },
  dictsort: (value, args, kwargs) => {
    const [cs, by, reverse] = bindArgs(
      'dictsort',
      [
        ['case_sensitive', false],
        ['by', 'key'],
        ['reverse', false],
      ],
      args,
      kwargs,
    );
    if (!isDict(value)) throw templateError('dictsort expects a dict');
    const pos = by === 'key' ? 0 : by === 'value' ? 1 : -1;
    if (pos === -1) throw templateError("You can only sort by either 'key' or 'value'");
    const items = Object.keys(value).map((k) => makeTuple([k, value[k]]));
    return keyedSort(
      items,
      (t) => (truthy(cs) ? (t as unknown[])[pos] : foldCase((t as unknown[])[pos])),
      truthy(reverse),
    );
  },
  reverse: (value) => {
    const x = defined(value);
    if (typeof x === 'string') return Array.from(x).reverse().join('');
    return [...pyIter(x)].reverse();
  },
  min: minMax('min'),
  max: minMax('max'),
  sum: (value, args, kwargs, rt) => {
    const [attribute, start] = bindArgs(
      'sum',
      [
        ['attribute', null],
        ['start', 0],
      ],
      args,
      kwargs,
    );
    const get = attrGetter(rt, attribute);
    return pyIter(value).reduce((acc: unknown, x) => arith('+', acc, get(x)), start);
  },
  zip: (value, args) => zipLists([value, ...args].map(pyIter), false, null),
  zip_longest: (value, args, kwargs) => {
    const fill = kwargs.fillvalue ?? null;
    return zipLists([value, ...args].map(pyIter), true, fill);
  },
  product: (value, args, kwargs) => {
    const repeat = intArg(kwargs.repeat ?? 1, 'repeat');
    const lists = [value, ...args].map((l) => [...pyIter(l)]);
    return product(Array.from({ length: repeat }, () => lists).flat());
  },
  dict2items: (value, args, kwargs) => {
    const [kn, vn] = bindArgs(
      'dict2items',
      [
        ['key_name', 'key'],
        ['value_name', 'value'],
      ],
      args,
      kwargs,
    );
    if (!isDict(value))
      throw templateError(`dict2items requires a dictionary, got ${typeName(value)} instead.`);
    return Object.keys(value).map((k) => ({ [String(kn)]: k, [String(vn)]: value[k] }));
  },
  items2dict: (value, args, kwargs) => {
    const [kn, vn] = bindArgs(
      'items2dict',
      [
        ['key_name', 'key'],
        ['value_name', 'value'],
      ],
      args,
      kwargs,
    );
    const x = defined(value);
    if (!Array.isArray(x)) throw templateError(`items2dict requires a list, got ${typeName(x)} instead.`);
    const out: PyDict = {};
    for (const item of x) {
      if (!isDict(item)) throw templateError('items2dict requires a list of dictionaries');
      if (!hasKey(item, String(kn)) || !hasKey(item, String(vn))) {
        throw templateError(
          `items2dict requires each dictionary in the list to contain the keys '${kn}' and '${vn}'`,
        );
      }
      const k = item[String(kn)];
      if (Array.isArray(k) && !isTuple(k)) throw templateError("unhashable type: 'list'");
      out[typeof k === 'string' ? k : String(k)] = item[String(vn)];
    }
    return out;
  },
  combine,
  extract: (item, args, kwargs, rt) => {
    const [container, morekeys] = bindArgs(
      'extract',
      [
        ['container', REQUIRED],
        ['morekeys', null],
      ],
      args,
      kwargs,
    );
    const keys =
      morekeys === null ? [item] : Array.isArray(morekeys) ? [item, ...morekeys] : [item, morekeys];
    return keys.reduce((acc: unknown, k) => rt.getitem(acc, k), container);
  },
};
