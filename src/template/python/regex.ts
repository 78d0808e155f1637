import { templateError } from '../errors.js';

export interface RegexFlags {
  ignorecase?: boolean;
  multiline?: boolean;
}

const cache = new Map<string, RegExp>();

/** Rewrites Python `re` syntax into an equivalent JavaScript RegExp source. */
function translate(pattern: string, multiline: boolean): { source: string; flags: string } {
  let flags = '';
  let dotall = false;
  let out = '';
  let i = 0;
  const lead = /^\(\?([aiLmsux]+)\)/.exec(pattern);
  if (lead) {
    const f = lead[1] ?? '';
    if (f.includes('x')) throw templateError('verbose regular expressions (?x) are not supported');
    if (f.includes('i')) flags += 'i';
    if (f.includes('m')) multiline = true;
    if (f.includes('s')) dotall = true;
    i = lead[0].length;
  }
  while (i < pattern.length) {
    const c = pattern[i] as string;
    if (c === '\\') {
      const n = pattern[i + 1] ?? '';
      if (n === 'A') out += '(?<![\\s\\S])';
      else if (n === 'Z') out += '(?![\\s\\S])';
      else out += c + n;
      i += 2;
    } else if (c === '[') {
      let j = i + 1;
      out += '[';
      if (pattern[j] === '^') out += pattern[j++];
      if (pattern[j] === ']') {
        out += '\\]';
        j++;
      }
      while (j < pattern.length && pattern[j] !== ']') {
        if (pattern[j] === '\\') out += pattern[j++] ?? '';
        else if (pattern[j] === '[') {
          out += '\\[';
          j++;
          continue;
        }
        out += pattern[j++] ?? '';
      }
      out += ']';
      i = j + 1;
    } else if (pattern.startsWith('(?P<', i)) {
      out += '(?<';
      i += 4;
    } else if (pattern.startsWith('(?P=', i)) {
      const end = pattern.indexOf(')', i);
      out += `\\k<${pattern.slice(i + 4, end)}>`;
      i = end + 1;
    } else if (pattern.startsWith('(?#', i)) {
      i = pattern.indexOf(')', i) + 1 || pattern.length;
    } else if (c === '$' && !multiline) {
      out += '(?=\\n?(?![\\s\\S]))';
      i++;
    } else if (c === '.') {
      out += dotall ? '[\\s\\S]' : '[^\\n]';
      i++;
    } else {
      out += c;
      i++;
    }
  }
  if (multiline) flags += 'm';
  return { source: out, flags };
}

/** A Python regular expression as a JS RegExp (global, cached). */
export function pyRegex(pattern: string, opts: RegexFlags = {}): RegExp {
  const key = `${opts.ignorecase ? 'i' : ''}${opts.multiline ? 'm' : ''}/${pattern}`;
  let re = cache.get(key);
  if (!re) {
    const t = translate(pattern, Boolean(opts.multiline));
    let flags = t.flags;
    if (opts.ignorecase && !flags.includes('i')) flags += 'i';
    try {
      re = new RegExp(t.source, `${flags}g`);
    } catch (e) {
      throw templateError(`invalid regular expression '${pattern}': ${(e as Error).message}`);
    }
    if (cache.size > 500) cache.clear();
    cache.set(key, re);
  }
  re.lastIndex = 0;
  return re;
}

export function pySearch(re: RegExp, s: string): RegExpExecArray | null {
  re.lastIndex = 0;
  const m = re.exec(s);
  re.lastIndex = 0;
  return m;
}

const sticky = new WeakMap<RegExp, RegExp>();

/** re.match: a match anchored at the start of the string. */
export function pyMatch(re: RegExp, s: string): RegExpExecArray | null {
  let y = sticky.get(re);
  if (!y) {
    y = new RegExp(re.source, re.flags.replace('g', 'y'));
    sticky.set(re, y);
  }
  y.lastIndex = 0;
  return y.exec(s);
}

function groupValue(m: RegExpExecArray, ref: string): string {
  const v = /^\d+$/.test(ref) ? m[Number(ref)] : m.groups?.[ref];
  if (v === undefined && /^\d+$/.test(ref) && Number(ref) >= m.length)
    throw templateError(`invalid group reference ${ref}`);
  return v ?? '';
}

const REPL_ESCAPES: Record<string, string> = {
  n: '\n',
  t: '\t',
  r: '\r',
  a: '\x07',
  b: '\b',
  f: '\f',
  v: '\v',
  '\\': '\\',
};

/** Expands a Python re.sub replacement template (\1, \g<name>, \n) for one match. */
export function expandTemplate(repl: string, m: RegExpExecArray): string {
  return repl.replace(/\\(g<([^>]*)>|\d{1,2}|[\s\S])/g, (all, esc: string, g: string | undefined) => {
    if (g !== undefined) return groupValue(m, g);
    if (/^\d/.test(esc)) return groupValue(m, esc);
    const simple = REPL_ESCAPES[esc];
    if (simple !== undefined) return simple;
    if (/[A-Za-z]/.test(esc)) throw templateError(`bad escape \\${esc} in replacement`);
    return all;
  });
}

export function pySub(re: RegExp, repl: string, s: string, count = 0): string {
  let n = 0;
  re.lastIndex = 0;
  return s.replace(re, (...args: unknown[]) => {
    const match = args[0] as string;
    if (count > 0 && n >= count) return match;
    n++;
    const hasGroups = typeof args[args.length - 1] === 'object';
    const offset = args[args.length - (hasGroups ? 3 : 2)] as number;
    const m = Object.assign(args.slice(0, args.length - (hasGroups ? 3 : 2)) as string[], {
      index: offset,
      input: s,
      groups: hasGroups ? (args[args.length - 1] as Record<string, string>) : undefined,
    }) as unknown as RegExpExecArray;
    return expandTemplate(repl, m);
  });
}

/** re.findall: whole matches, the one group, or tuples of groups. */
export function pyFindall(re: RegExp, s: string): (string | string[])[] {
  const out: (string | string[])[] = [];
  for (const m of s.matchAll(re)) {
    if (m.length === 1) out.push(m[0]);
    else if (m.length === 2) out.push(m[1] ?? '');
    else out.push(m.slice(1).map((g) => g ?? ''));
  }
  return out;
}
