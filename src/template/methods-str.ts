import { templateError } from './errors.js';
import { bindArgs, REQUIRED } from './python/args.js';
import { strFormat } from './python/format.js';
import { pyCapitalize, pyRsplit, pySplit, pySplitlines, pyStrip } from './python/strings.js';
import { asString, chars, pyIter, typeName } from './python/types.js';
import { isInt, isTuple } from './python/values.js';
import { defined } from './undefined.js';

type Kw = Record<string, unknown>;

function optStr(v: unknown, what: string): string | null {
  return v === null || v === undefined ? null : asString(v, what);
}

function prefixes(v: unknown, what: string): string[] {
  const x = defined(v);
  return Array.isArray(x) && isTuple(x) ? x.map((p) => asString(p, what)) : [asString(x, what)];
}

export function intArg(v: unknown, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (!isInt(v)) throw templateError(`${what} must be an integer, not ${typeName(v)}`);
  return v;
}

export function indexOrFail(i: number, what: string): number {
  if (i === -1) throw templateError(`${what} not found`);
  return i;
}

/** Python str methods templates may call (`name.startswith('web')`). */
export const STR_METHODS_TABLE: Record<string, (s: string, a: unknown[], k: Kw) => unknown> = {
  startswith: (s, a, k) => {
    const [p] = bindArgs('startswith', [['prefix', REQUIRED]], a, k);
    return prefixes(p, 'startswith').some((x) => s.startsWith(x));
  },
  endswith: (s, a, k) => {
    const [p] = bindArgs('endswith', [['suffix', REQUIRED]], a, k);
    return prefixes(p, 'endswith').some((x) => s.endsWith(x));
  },
  split: (s, a, k) => {
    const [sep, max] = bindArgs(
      'split',
      [
        ['sep', null],
        ['maxsplit', -1],
      ],
      a,
      k,
    );
    return pySplit(s, optStr(sep, 'split'), intArg(max, 'maxsplit'));
  },
  rsplit: (s, a, k) => {
    const [sep, max] = bindArgs(
      'rsplit',
      [
        ['sep', null],
        ['maxsplit', -1],
      ],
      a,
      k,
    );
    return pyRsplit(s, optStr(sep, 'rsplit'), intArg(max, 'maxsplit'));
  },
  splitlines: (s, a, k) => pySplitlines(s, Boolean(bindArgs('splitlines', [['keepends', false]], a, k)[0])),
  strip: (s, a, k) => pyStrip(s, optStr(bindArgs('strip', [['chars', null]], a, k)[0], 'strip'), 'both'),
  lstrip: (s, a, k) => pyStrip(s, optStr(bindArgs('lstrip', [['chars', null]], a, k)[0], 'lstrip'), 'left'),
  rstrip: (s, a, k) => pyStrip(s, optStr(bindArgs('rstrip', [['chars', null]], a, k)[0], 'rstrip'), 'right'),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  capitalize: (s) => pyCapitalize(s),
  title: (s) =>
    s.toLowerCase().replace(/(^|[^\p{L}])(\p{L})/gu, (_m, pre: string, c: string) => pre + c.toUpperCase()),
  swapcase: (s) => Array.from(s, (c) => (c === c.toUpperCase() ? c.toLowerCase() : c.toUpperCase())).join(''),
  replace: (s, a, k) => {
    const [o, n, c] = bindArgs(
      'replace',
      [
        ['old', REQUIRED],
        ['new', REQUIRED],
        ['count', -1],
      ],
      a,
      k,
    );
    return replaceCount(s, asString(o, 'replace'), asString(n, 'replace'), intArg(c, 'count'));
  },
  format: (s, a, k) => strFormat(s, a, k),
  join: (s, a, k) => {
    const [items] = bindArgs('join', [['iterable', REQUIRED]], a, k);
    return pyIter(items)
      .map((x) => asString(x, 'join'))
      .join(s);
  },
  count: (s, a, k) => {
    const [sub] = bindArgs('count', [['sub', REQUIRED]], a, k);
    const x = asString(sub, 'count');
    return x === '' ? chars(s).length + 1 : s.split(x).length - 1;
  },
  find: (s, a, k) => s.indexOf(asString(bindArgs('find', [['sub', REQUIRED]], a, k)[0], 'find')),
  rfind: (s, a, k) => s.lastIndexOf(asString(bindArgs('rfind', [['sub', REQUIRED]], a, k)[0], 'rfind')),
  index: (s, a, k) =>
    indexOrFail(s.indexOf(asString(bindArgs('index', [['sub', REQUIRED]], a, k)[0], 'index')), 'substring'),
  isdigit: (s) => /^\p{Nd}+$/u.test(s),
  isalpha: (s) => /^\p{L}+$/u.test(s),
  isalnum: (s) => /^[\p{L}\p{N}]+$/u.test(s),
  isspace: (s) => /^\s+$/.test(s),
  islower: (s) => /\p{Ll}/u.test(s) && !/\p{Lu}/u.test(s),
  isupper: (s) => /\p{Lu}/u.test(s) && !/\p{Ll}/u.test(s),
  zfill: (s, a, k) => {
    const w = intArg(bindArgs('zfill', [['width', REQUIRED]], a, k)[0], 'width');
    const sign = s.startsWith('-') || s.startsWith('+') ? (s[0] as string) : '';
    return sign + s.slice(sign.length).padStart(w - sign.length, '0');
  },
  ljust: (s, a, k) => {
    const [w, f] = bindArgs(
      'ljust',
      [
        ['width', REQUIRED],
        ['fillchar', ' '],
      ],
      a,
      k,
    );
    return s.padEnd(intArg(w, 'width'), asString(f, 'ljust'));
  },
  rjust: (s, a, k) => {
    const [w, f] = bindArgs(
      'rjust',
      [
        ['width', REQUIRED],
        ['fillchar', ' '],
      ],
      a,
      k,
    );
    return s.padStart(intArg(w, 'width'), asString(f, 'rjust'));
  },
};

export function replaceCount(s: string, old: string, repl: string, count: number): string {
  if (old === '') {
    // Python inserts the replacement before every character and at the end.
    const cs = chars(s);
    const n = count < 0 ? cs.length + 1 : Math.min(count, cs.length + 1);
    let out = '';
    for (let i = 0; i < cs.length; i++) out += (i < n ? repl : '') + cs[i];
    return out + (n > cs.length ? repl : '');
  }
  if (count < 0) return s.split(old).join(repl);
  const parts = s.split(old);
  if (parts.length - 1 <= count) return parts.join(repl);
  return parts.slice(0, count + 1).join(repl) + old + parts.slice(count + 1).join(old);
}
