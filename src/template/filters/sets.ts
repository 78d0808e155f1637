import { templateError } from '../errors.js';
import { bindArgs } from '../python/args.js';
import { pyContains, pyEq, truthy } from '../python/ops.js';
import { isDict, pyIter } from '../python/types.js';
import { isTuple } from '../python/values.js';
import type { FilterFn, Runtime } from '../runtime.js';
import { attrGetter } from './args.js';

function lowerIfString(v: unknown): unknown {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

function unhashable(v: unknown): boolean {
  return (Array.isArray(v) && !isTuple(v)) || isDict(v);
}

function dedupe(items: unknown[], key: (x: unknown) => unknown): unknown[] {
  const seen: unknown[] = [];
  const out: unknown[] = [];
  for (const item of items) {
    const k = key(item);
    if (!seen.some((s) => pyEq(s, k))) {
      seen.push(k);
      out.push(item);
    }
  }
  return out;
}

/**
 * Ansible's `unique`: Jinja's version (case-insensitive unless asked) when every key is
 * hashable, else Ansible's own equality-based, case-sensitive fallback.
 */
export function unique(rt: Runtime, value: unknown, caseSensitive: unknown, attribute: unknown): unknown[] {
  const items = pyIter(value);
  const get = attrGetter(rt, attribute);
  const fold = !truthy(caseSensitive ?? false);
  if (items.map(get).some(unhashable)) {
    if (caseSensitive === false || attribute !== null) {
      throw templateError("Jinja2's unique filter failed and we cannot fall back to Ansible's version");
    }
    return dedupe(items, (x) => x);
  }
  return dedupe(items, (x) => (fold ? lowerIfString(get(x)) : get(x)));
}

export const setFilters: Record<string, FilterFn> = {
  unique: (value, args, kwargs, rt) => {
    const [cs, attribute] = bindArgs(
      'unique',
      [
        ['case_sensitive', null],
        ['attribute', null],
      ],
      args,
      kwargs,
    );
    return unique(rt, value, cs, attribute);
  },
  union: (a, args, _k, rt) => unique(rt, [...pyIter(a), ...pyIter(args[0])], true, null),
  intersect: (a, args, _k, rt) => {
    const b = args[0];
    return unique(
      rt,
      pyIter(a).filter((x) => pyContains(b, x)),
      true,
      null,
    );
  },
  difference: (a, args, _k, rt) => {
    const b = args[0];
    return unique(
      rt,
      pyIter(a).filter((x) => !pyContains(b, x)),
      true,
      null,
    );
  },
  symmetric_difference: (a, args, _k, rt) => {
    const b = args[0];
    const isect = unique(
      rt,
      pyIter(a).filter((x) => pyContains(b, x)),
      true,
      null,
    );
    return unique(rt, [...pyIter(a), ...pyIter(b)], true, null).filter((x) => !pyContains(isect, x));
  },
};
