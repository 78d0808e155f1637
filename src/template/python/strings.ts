import { templateError } from '../errors.js';

// Python's str.isspace() set (JS \s differs: it has U+FEFF and lacks \x1c-\x1f and \x85).
const WS_CLASS =
  '\\t\\n\\x0b\\x0c\\r\\x1c-\\x1f \\x85\\xa0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000';
const WS_CHAR = new RegExp(`[${WS_CLASS}]`);
const LEADING_WS = new RegExp(`^[${WS_CLASS}]+`);
const TRAILING_WS = new RegExp(`[${WS_CLASS}]+$`);

export function isPySpace(ch: string): boolean {
  return WS_CHAR.test(ch);
}

/** str.strip / lstrip / rstrip with Python's whitespace or a set of characters. */
export function pyStrip(s: string, chars: string | null, side: 'both' | 'left' | 'right'): string {
  if (chars === null) {
    let out = s;
    if (side !== 'right') out = out.replace(LEADING_WS, '');
    if (side !== 'left') out = out.replace(TRAILING_WS, '');
    return out;
  }
  const set = new Set(Array.from(chars));
  const cps = Array.from(s);
  let a = 0;
  let b = cps.length;
  if (side !== 'right') while (a < b && set.has(cps[a] as string)) a++;
  if (side !== 'left') while (b > a && set.has(cps[b - 1] as string)) b--;
  return cps.slice(a, b).join('');
}

/** str.split(sep=None, maxsplit=-1). */
export function pySplit(s: string, sep: string | null, maxsplit = -1): string[] {
  const out: string[] = [];
  if (sep === null) {
    let i = 0;
    const n = s.length;
    while (i < n) {
      while (i < n && isPySpace(s[i] as string)) i++;
      if (i >= n) break;
      if (maxsplit >= 0 && out.length === maxsplit) {
        out.push(s.slice(i));
        break;
      }
      let j = i;
      while (j < n && !isPySpace(s[j] as string)) j++;
      out.push(s.slice(i, j));
      i = j;
    }
    return out;
  }
  if (sep === '') throw templateError('empty separator');
  let start = 0;
  for (;;) {
    if (maxsplit >= 0 && out.length === maxsplit) break;
    const i = s.indexOf(sep, start);
    if (i === -1) break;
    out.push(s.slice(start, i));
    start = i + sep.length;
  }
  out.push(s.slice(start));
  return out;
}

/** str.rsplit(sep=None, maxsplit=-1). */
export function pyRsplit(s: string, sep: string | null, maxsplit = -1): string[] {
  if (maxsplit < 0) return pySplit(s, sep, -1);
  const out: string[] = [];
  if (sep === null) {
    let j = s.length;
    while (j > 0) {
      while (j > 0 && isPySpace(s[j - 1] as string)) j--;
      if (j <= 0) break;
      if (out.length === maxsplit) {
        out.push(s.slice(0, j));
        break;
      }
      let i = j;
      while (i > 0 && !isPySpace(s[i - 1] as string)) i--;
      out.push(s.slice(i, j));
      j = i;
    }
    return out.reverse();
  }
  if (sep === '') throw templateError('empty separator');
  let end = s.length;
  while (out.length < maxsplit) {
    const i = s.lastIndexOf(sep, end - sep.length);
    if (i === -1 || end - sep.length < 0) break;
    out.push(s.slice(i + sep.length, end));
    end = i;
  }
  out.push(s.slice(0, end));
  return out.reverse();
}

/** str.splitlines(keepends=False). */
export function pySplitlines(s: string, keepends = false): string[] {
  const out: string[] = [];
  // biome-ignore lint/suspicious/noControlCharactersInRegex: these controls are line boundaries in Python
  const re = /\r\n|[\n\r\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029]/g;
  let start = 0;
  for (const m of s.matchAll(re)) {
    const end = m.index + m[0].length;
    out.push(s.slice(start, keepends ? end : m.index));
    start = end;
  }
  if (start < s.length) out.push(s.slice(start));
  return out;
}

/** str.capitalize(). */
export function pyCapitalize(s: string): string {
  const cps = Array.from(s);
  if (cps.length === 0) return '';
  return (cps[0] as string).toUpperCase() + cps.slice(1).join('').toLowerCase();
}
