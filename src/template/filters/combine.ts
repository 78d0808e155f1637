import { templateError } from '../errors.js';
import { pyContains, pyEq } from '../python/ops.js';
import { hasKey, isDict, typeName } from '../python/types.js';
import type { PyDict } from '../python/values.js';
import type { FilterFn } from '../runtime.js';
import { Undefined } from '../undefined.js';
import { flatten } from './flatten.js';

const LIST_MERGES = new Set(['replace', 'keep', 'append', 'prepend', 'append_rp', 'prepend_rp']);

function checkDefined(v: unknown): void {
  if (v instanceof Undefined) v.fail();
  if (Array.isArray(v)) for (const x of v) checkDefined(x);
  else if (isDict(v)) for (const k of Object.keys(v)) checkDefined(v[k]);
}

function mergeLists(x: unknown[], y: unknown[], mode: string): unknown[] {
  switch (mode) {
    case 'append':
      return [...x, ...y];
    case 'prepend':
      return [...y, ...x];
    case 'append_rp':
      return [...x.filter((z) => !pyContains(y, z)), ...y];
    case 'prepend_rp':
      return [...y, ...x.filter((z) => !pyContains(y, z))];
    case 'keep':
      return x;
    default:
      return y;
  }
}

/** Ansible's merge_hash: y's keys win over x's; x and y are not modified. */
export function mergeHash(x: PyDict, y: PyDict, recursive: boolean, listMerge: string): PyDict {
  if (Object.keys(x).length === 0 || pyEq(x, y)) return { ...y };
  const out: PyDict = { ...x };
  for (const key of Object.keys(y)) {
    const yv = y[key];
    if (!hasKey(out, key)) {
      out[key] = yv;
      continue;
    }
    const xv = out[key];
    if (isDict(xv) && isDict(yv)) out[key] = recursive ? mergeHash(xv, yv, recursive, listMerge) : yv;
    else if (Array.isArray(xv) && Array.isArray(yv)) out[key] = mergeLists(xv, yv, listMerge);
    else out[key] = yv;
  }
  return out;
}

/** `a | combine(b, c, recursive=True, list_merge='append')`; lists of dicts are accepted too. */
export const combine: FilterFn = (value, args, kwargs) => {
  const recursive = kwargs.recursive ?? false;
  const listMerge = kwargs.list_merge ?? 'replace';
  for (const k of Object.keys(kwargs)) {
    if (k !== 'recursive' && k !== 'list_merge') {
      throw templateError("'recursive' and 'list_merge' are the only valid keyword arguments");
    }
  }
  if (typeof listMerge !== 'string' || !LIST_MERGES.has(listMerge)) {
    throw templateError(
      "merge_hash: 'list_merge' argument can only be equal to 'replace', 'keep', 'append', 'prepend', 'append_rp' or 'prepend_rp'",
    );
  }
  const dicts = flatten([value, ...args], 1, true);
  checkDefined(dicts);
  if (dicts.length === 0) return {};
  if (dicts.length === 1) return dicts[0];
  let result = dicts[dicts.length - 1];
  for (let i = dicts.length - 2; i >= 0; i--) {
    const d = dicts[i];
    if (!isDict(d) || !isDict(result)) {
      throw templateError(
        `failed to combine variables, expected dicts but got a '${typeName(d)}' and a '${typeName(result)}'`,
      );
    }
    result = mergeHash(d, result, Boolean(recursive), listMerge);
  }
  return result;
};
