import { templateError } from '../errors.js';
import { bindArgs, REQUIRED } from '../python/args.js';
import { truthy } from '../python/ops.js';
import { pyFindall, pyRegex, pySearch, pySub } from '../python/regex.js';
import { pyStr } from '../python/str.js';
import { makeTuple } from '../python/values.js';
import type { FilterFn } from '../runtime.js';
import { defined } from '../undefined.js';

function text(v: unknown): string {
  return pyStr(defined(v));
}

const regexSearch: FilterFn = (value, args, kwargs) => {
  const [pattern, ...groupArgs] = args;
  if (pattern === undefined) throw templateError('regex_search() missing required argument: regex');
  for (const k of Object.keys(kwargs)) {
    if (k !== 'ignorecase' && k !== 'multiline')
      throw templateError(`regex_search() got an unexpected keyword argument '${k}'`);
  }
  const refs = groupArgs.map((a) => {
    const s = text(a);
    const g = /^\\g<(\S+)>/.exec(s) ?? /^\\(\d+)/.exec(s);
    if (!g) throw templateError('Unknown argument');
    return g[1] as string;
  });
  const re = pyRegex(text(pattern), {
    ignorecase: truthy(kwargs.ignorecase),
    multiline: truthy(kwargs.multiline),
  });
  const m = pySearch(re, text(value));
  if (!m) return null;
  if (refs.length === 0) return m[0];
  return refs.map((r) => (/^\d+$/.test(r) ? (m[Number(r)] ?? null) : (m.groups?.[r] ?? null)));
};

export const regexFilters: Record<string, FilterFn> = {
  regex_replace: (value, args, kwargs) => {
    const [pattern, repl, ignorecase, multiline] = bindArgs(
      'regex_replace',
      [
        ['pattern', ''],
        ['replacement', ''],
        ['ignorecase', false],
        ['multiline', false],
      ],
      args,
      kwargs,
    );
    const re = pyRegex(text(pattern), { ignorecase: truthy(ignorecase), multiline: truthy(multiline) });
    return pySub(re, text(repl), text(value));
  },
  regex_findall: (value, args, kwargs) => {
    const [pattern, multiline, ignorecase] = bindArgs(
      'regex_findall',
      [
        ['regex', REQUIRED],
        ['multiline', false],
        ['ignorecase', false],
      ],
      args,
      kwargs,
    );
    const re = pyRegex(text(pattern), { ignorecase: truthy(ignorecase), multiline: truthy(multiline) });
    return pyFindall(re, text(value)).map((m) => (Array.isArray(m) ? makeTuple(m) : m));
  },
  regex_search: regexSearch,
};
