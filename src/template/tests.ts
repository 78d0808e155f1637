import { UnsafeText } from '../yaml/tags.js';
import { templateError } from './errors.js';
import { FILTERS } from './filters/index.js';
import { bindArgs, REQUIRED } from './python/args.js';
import { arith, pyCompare, pyContains, pyEq, truthy } from './python/ops.js';
import { pyMatch, pyRegex, pySearch } from './python/regex.js';
import { pyStr } from './python/str.js';
import { hasKey, isDict, pyIter } from './python/types.js';
import { BoundMethod, isFloat, isInt, isNumeric, numValue, PyFunction } from './python/values.js';
import type { TestFn } from './runtime.js';
import { defined, Undefined } from './undefined.js';
import { versionCompare } from './version.js';

type Kw = Record<string, unknown>;

/** Tests that only look at the type: an Undefined is simply "not that type". */
function typeTest(pred: (v: unknown) => boolean): TestFn {
  return (v) => !(v instanceof Undefined) && pred(v instanceof UnsafeText ? v.text : v);
}

/** Tests that use the value: an Undefined is an error, as in Ansible. */
function valueTest(fn: (v: unknown, args: unknown[], kwargs: Kw) => unknown): TestFn {
  return (v, args, kwargs) => fn(defined(v) instanceof UnsafeText ? (v as UnsafeText).text : v, args, kwargs);
}

function compare(check: (c: number) => boolean, op: string): TestFn {
  return valueTest((v, [other]) => check(pyCompare(v, other, op)));
}

function resultDict(v: unknown, test: string): Record<string, unknown> {
  if (!isDict(v)) throw templateError(`The '${test}' test expects a dictionary`);
  return v;
}

function get(d: Record<string, unknown>, key: string, dflt: unknown): unknown {
  return hasKey(d, key) ? d[key] : dflt;
}

function changed(v: unknown): unknown {
  const r = resultDict(v, 'changed');
  if (hasKey(r, 'changed')) return r.changed;
  const results = r.results;
  if (Array.isArray(results) && isDict(results[0]))
    return results.some((x) => isDict(x) && truthy(get(x, 'changed', false)));
  return false;
}

function regexTest(kind: 'match' | 'search', v: unknown, args: unknown[], kwargs: Kw): boolean {
  const [pattern, ignorecase, multiline] = bindArgs(
    kind,
    [
      ['pattern', ''],
      ['ignorecase', false],
      ['multiline', false],
    ],
    args,
    kwargs,
  );
  const re = pyRegex(pyStr(pattern), { ignorecase: truthy(ignorecase), multiline: truthy(multiline) });
  const s = pyStr(v);
  return (kind === 'match' ? pyMatch(re, s) : pySearch(re, s)) !== null;
}

const BOOL_TRUE = ['y', 'yes', 'on', '1', 'true', 't'];
const BOOL_FALSE = ['n', 'no', 'off', '0', 'false', 'f'];

function truthyTest(v: unknown, args: unknown[], kwargs: Kw): boolean {
  const [convert] = bindArgs('truthy', [['convert_bool', false]], args, kwargs);
  if (truthy(convert) && typeof v !== 'boolean') {
    if (typeof v === 'string') {
      const s = v.toLowerCase().trim();
      if (BOOL_TRUE.includes(s)) return true;
      if (BOOL_FALSE.includes(s)) return false;
    } else if (isNumeric(v) && (numValue(v) === 1 || numValue(v) === 0)) {
      return numValue(v) === 1;
    }
  }
  return truthy(v);
}

function subset(a: unknown, b: unknown): boolean {
  return pyIter(a).every((x) => pyContains(pyIter(b), x));
}

export const TESTS: Readonly<Record<string, TestFn>> = Object.assign(
  Object.create(null) as Record<string, TestFn>,
  {
    defined: (v: unknown) => !(v instanceof Undefined),
    undefined: (v: unknown) => v instanceof Undefined,
    none: typeTest((v) => v === null || v === undefined),
    boolean: typeTest((v) => typeof v === 'boolean'),
    true: typeTest((v) => v === true),
    false: typeTest((v) => v === false),
    integer: typeTest((v) => isInt(v)),
    float: typeTest((v) => isFloat(v)),
    number: typeTest((v) => isNumeric(v)),
    string: typeTest((v) => typeof v === 'string'),
    mapping: typeTest((v) => isDict(v)),
    sequence: typeTest((v) => typeof v === 'string' || Array.isArray(v) || isDict(v)),
    callable: typeTest((v) => v instanceof BoundMethod || v instanceof PyFunction),
    iterable: valueTest((v) => typeof v === 'string' || Array.isArray(v) || isDict(v)),
    sameas: (v: unknown, [other]: unknown[]) => v === other,
    lower: valueTest((v) => {
      const s = pyStr(v);
      return /\p{Ll}/u.test(s) && !/\p{Lu}/u.test(s);
    }),
    upper: valueTest((v) => {
      const s = pyStr(v);
      return /\p{Lu}/u.test(s) && !/\p{Ll}/u.test(s);
    }),
    odd: valueTest((v) => pyEq(arith('%', v, 2), 1)),
    even: valueTest((v) => pyEq(arith('%', v, 2), 0)),
    divisibleby: valueTest((v, [n]) => pyEq(arith('%', v, n), 0)),
    in: valueTest((v, [seq]) => pyContains(seq, v)),
    eq: valueTest((v, [o]) => pyEq(v, o)),
    ne: valueTest((v, [o]) => !pyEq(v, o)),
    lt: compare((c) => c < 0, '<'),
    le: compare((c) => c <= 0, '<='),
    gt: compare((c) => c > 0, '>'),
    ge: compare((c) => c >= 0, '>='),
    filter: valueTest((v) => typeof v === 'string' && v in FILTERS),
    failed: valueTest((v) => get(resultDict(v, 'failed'), 'failed', false)),
    succeeded: valueTest((v) => !truthy(get(resultDict(v, 'succeeded'), 'failed', false))),
    unreachable: valueTest((v) => get(resultDict(v, 'unreachable'), 'unreachable', false)),
    reachable: valueTest((v) => !truthy(get(resultDict(v, 'reachable'), 'unreachable', false))),
    changed: valueTest(changed),
    skipped: valueTest((v) => get(resultDict(v, 'skipped'), 'skipped', false)),
    finished: valueTest(
      (v) => !hasKey(resultDict(v, 'finished'), 'finished') || pyEq(get(v as Kw, 'finished', 0), 1),
    ),
    started: valueTest(
      (v) => !hasKey(resultDict(v, 'started'), 'started') || pyEq(get(v as Kw, 'started', 0), 1),
    ),
    match: valueTest((v, a, k) => regexTest('match', v, a, k)),
    search: valueTest((v, a, k) => regexTest('search', v, a, k)),
    regex: valueTest((v, a, k) => {
      const [pattern, ignorecase, multiline, type] = bindArgs(
        'regex',
        [
          ['pattern', ''],
          ['ignorecase', false],
          ['multiline', false],
          ['match_type', 'search'],
        ],
        a,
        k,
      );
      return regexTest(type === 'match' ? 'match' : 'search', v, [pattern, ignorecase, multiline], {});
    }),
    version: valueTest((v, a, k) => {
      const [other, op, strict, type] = bindArgs(
        'version',
        [
          ['version', REQUIRED],
          ['operator', 'eq'],
          ['strict', null],
          ['version_type', null],
        ],
        a,
        k,
      );
      if (!truthy(v)) throw templateError('Input version value cannot be empty');
      if (!truthy(other)) throw templateError('Version parameter to compare against cannot be empty');
      const kind = truthy(strict) ? 'strict' : type === null ? 'loose' : pyStr(type);
      return versionCompare(pyStr(v), pyStr(other), pyStr(op), kind);
    }),
    any: valueTest((v) => pyIter(v).some(truthy)),
    all: valueTest((v) => pyIter(v).every(truthy)),
    truthy: valueTest(truthyTest),
    falsy: valueTest((v, a, k) => !truthyTest(v, a, k)),
    subset: valueTest((v, [b]) => subset(v, b)),
    superset: valueTest((v, [b]) => subset(b, v)),
    contains: valueTest((v, [x]) => pyContains(v, x)),
    nan: valueTest((v) => isNumeric(v) && Number.isNaN(numValue(v))),
  },
);

const ALIASES: Record<string, string> = {
  '==': 'eq',
  equalto: 'eq',
  '!=': 'ne',
  '<': 'lt',
  lessthan: 'lt',
  '<=': 'le',
  '>': 'gt',
  greaterthan: 'gt',
  '>=': 'ge',
  failure: 'failed',
  success: 'succeeded',
  successful: 'succeeded',
  change: 'changed',
  skip: 'skipped',
  version_compare: 'version',
  issubset: 'subset',
  issuperset: 'superset',
  isnan: 'nan',
};
for (const [alias, name] of Object.entries(ALIASES))
  (TESTS as Record<string, TestFn>)[alias] = TESTS[name] as TestFn;
