import { templateError } from '../errors.js';
import { truthy } from '../python/ops.js';
import { pyStr } from '../python/str.js';
import { pyIter } from '../python/types.js';
import type { FilterFn, Runtime } from '../runtime.js';
import { attrGetter } from './args.js';

type Kw = Record<string, unknown>;

/** Jinja's select/reject family: an optional attribute, then a test name and its arguments. */
function selectOrReject(keep: boolean, lookupAttr: boolean): FilterFn {
  return (value, args, kwargs, rt) => {
    if (!truthy(value)) return [];
    let rest = args;
    let get: (x: unknown) => unknown = (x) => x;
    if (lookupAttr) {
      if (rest.length === 0) throw templateError('Missing parameter for attribute name');
      get = attrGetter(rt, rest[0]);
      rest = rest.slice(1);
    }
    const [testName, ...testArgs] = rest;
    const check =
      testName === undefined
        ? (x: unknown) => truthy(x)
        : (x: unknown) => truthy(rt.test(pyStr(testName), x, testArgs, kwargs));
    return pyIter(value).filter((item) => check(get(item)) === keep);
  };
}

function mapFilter(value: unknown, args: unknown[], kwargs: Kw, rt: Runtime): unknown {
  const items = pyIter(value);
  if (args.length === 0 && Object.hasOwn(kwargs, 'attribute')) {
    const { attribute, default: dflt, ...extra } = kwargs;
    const unexpected = Object.keys(extra)[0];
    if (unexpected !== undefined) throw templateError(`Unexpected keyword argument '${unexpected}'`);
    const get = attrGetter(rt, attribute, dflt);
    return items.map(get);
  }
  const [name, ...rest] = args;
  if (name === undefined) throw templateError('map requires a filter argument');
  return items.map((item) => rt.filter(pyStr(name), item, rest, kwargs));
}

export const selectFilters: Record<string, FilterFn> = {
  select: selectOrReject(true, false),
  reject: selectOrReject(false, false),
  selectattr: selectOrReject(true, true),
  rejectattr: selectOrReject(false, true),
  map: mapFilter,
};
