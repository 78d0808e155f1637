import { OvnctlError } from '../../errors.js';
import { UnsafeText } from '../../yaml/tags.js';
import { templateError } from '../errors.js';
import { bindArgs, REQUIRED } from '../python/args.js';
import { printf } from '../python/format.js';
import { parsePyFloat, parsePyInt, roundHalfEven } from '../python/numbers.js';
import { truthy } from '../python/ops.js';
import { pyStr } from '../python/str.js';
import { pySplitlines } from '../python/strings.js';
import { isDict, pyIter, pyLen, typeName } from '../python/types.js';
import { isFloat, isNumeric, makeTuple, numValue, pyFloat } from '../python/values.js';
import type { FilterFn } from '../runtime.js';
import { defined, Undefined } from '../undefined.js';
import { attrGetter, intArg } from './args.js';

const TRUE_STRINGS = ['yes', 'on', '1', 'true'];

/** Ansible's `bool` filter: None and bools pass through; a few strings and 1 are true. */
export function toBool(v: unknown): unknown {
  const x = v instanceof UnsafeText ? v.text : v;
  if (x === null || x === undefined || typeof x === 'boolean') return x;
  if (typeof x === 'string') return TRUE_STRINGS.includes(x.toLowerCase());
  return isNumeric(x) && numValue(x) === 1;
}

function toInt(v: unknown): number | null {
  const x = v instanceof UnsafeText ? v.text : v;
  if (typeof x === 'boolean') return x ? 1 : 0;
  if (isNumeric(x)) {
    const n = numValue(x);
    if (!Number.isFinite(n)) {
      if (Number.isNaN(n)) return null;
      throw templateError('cannot convert float infinity to integer');
    }
    return Math.trunc(n) + 0;
  }
  return null;
}

function toFloat(v: unknown): number | null {
  const x = v instanceof UnsafeText ? v.text : v;
  if (isNumeric(x)) return numValue(x);
  if (typeof x === 'string') return parsePyFloat(x);
  return null;
}

const intFilter: FilterFn = (value, args, kwargs) => {
  const [dflt, base] = bindArgs(
    'int',
    [
      ['default', 0],
      ['base', 10],
    ],
    args,
    kwargs,
  );
  const x = value instanceof UnsafeText ? value.text : value;
  if (typeof x === 'string') {
    const n = parsePyInt(x, intArg(base, 'base'));
    if (n !== null) return n;
    const f = parsePyFloat(x);
    if (f === null || Number.isNaN(f)) return dflt;
    return toInt(f);
  }
  return toInt(x) ?? dflt;
};

const floatFilter: FilterFn = (value, args, kwargs) => {
  const [dflt] = bindArgs('float', [['default', pyFloat(0)]], args, kwargs);
  const f = toFloat(value);
  return f === null ? dflt : pyFloat(f);
};

const first: FilterFn = (value) => {
  const items = pyIter(value);
  return items.length > 0 ? items[0] : new Undefined('(first)', 'No first item, sequence was empty.');
};

const last: FilterFn = (value) => {
  const items = pyIter(value);
  return items.length > 0
    ? items[items.length - 1]
    : new Undefined('(last)', 'No last item, sequence was empty.');
};

const join: FilterFn = (value, args, kwargs, rt) => {
  const [sep, attribute] = bindArgs(
    'join',
    [
      ['d', ''],
      ['attribute', null],
    ],
    args,
    kwargs,
  );
  const get = attrGetter(rt, attribute);
  return pyIter(value)
    .map((x) => pyStr(defined(get(x))))
    .join(pyStr(defined(sep)));
};

const round: FilterFn = (value, args, kwargs) => {
  const [precision, method] = bindArgs(
    'round',
    [
      ['precision', 0],
      ['method', 'common'],
    ],
    args,
    kwargs,
  );
  const x = defined(value);
  if (!isNumeric(x)) throw templateError(`round() expects a number, got ${typeName(x)}`);
  const p = intArg(precision, 'precision');
  const n = numValue(x);
  if (method === 'common') return isFloat(x) ? pyFloat(roundHalfEven(n, p)) : n;
  if (method !== 'ceil' && method !== 'floor') throw templateError('method must be common, ceil or floor');
  const f = 10 ** p;
  return pyFloat((method === 'ceil' ? Math.ceil(n * f) : Math.floor(n * f)) / f);
};

const indent: FilterFn = (value, args, kwargs) => {
  const [width, firstLine, blank] = bindArgs(
    'indent',
    [
      ['width', 4],
      ['first', false],
      ['blank', false],
    ],
    args,
    kwargs,
  );
  const pad = typeof width === 'string' ? width : ' '.repeat(intArg(width, 'width'));
  const lines = pySplitlines(`${pyStr(value)}\n`);
  let out: string;
  if (truthy(blank)) out = lines.join(`\n${pad}`);
  else {
    out = lines[0] ?? '';
    const rest = lines.slice(1);
    if (rest.length > 0) out += `\n${rest.map((l) => (l ? pad + l : l)).join('\n')}`;
  }
  return truthy(firstLine) ? pad + out : out;
};

export const coreFilters: Record<string, FilterFn> = {
  default: (value, args, kwargs) => {
    const [dflt, boolean] = bindArgs(
      'default',
      [
        ['default_value', ''],
        ['boolean', false],
      ],
      args,
      kwargs,
    );
    if (value instanceof Undefined || (truthy(boolean) && !truthy(value))) return dflt;
    return value;
  },
  mandatory: (value, args, kwargs) => {
    const [msg] = bindArgs('mandatory', [['msg', null]], args, kwargs);
    if (!(value instanceof Undefined)) return value;
    const text = msg === null ? `Mandatory variable '${value.name}' not defined.` : pyStr(msg);
    throw new OvnctlError('undefined-variable', text);
  },
  bool: (value) => toBool(value),
  int: intFilter,
  float: floatFilter,
  string: (value) => pyStr(value),
  list: (value) => [...pyIter(value)],
  length: (value) => pyLen(value),
  count: (value) => pyLen(value),
  first,
  last,
  join,
  ternary: (value, args, kwargs) => {
    const [t, f, n] = bindArgs(
      'ternary',
      [
        ['true_val', REQUIRED],
        ['false_val', REQUIRED],
        ['none_val', null],
      ],
      args,
      kwargs,
    );
    if ((value === null || value === undefined) && n !== null) return n;
    return truthy(value) ? t : f;
  },
  abs: (value) => {
    const x = defined(value);
    if (!isNumeric(x)) throw templateError(`bad operand type for abs(): '${typeName(x)}'`);
    const n = Math.abs(numValue(x));
    return isFloat(x) ? pyFloat(n) : n;
  },
  round,
  indent,
  format: (value, args, kwargs) =>
    printf(pyStr(value), Object.keys(kwargs).length > 0 ? kwargs : makeTuple(args)),
  items: (value) => {
    if (!isDict(value)) throw templateError('can only get item pairs from a mapping');
    return Object.keys(value).map((k) => makeTuple([k, value[k]]));
  },
  type_debug: (value) => typeName(value),
};
