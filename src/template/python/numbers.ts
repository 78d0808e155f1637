import { toFixedEven } from './decimal.js';

/** Python's int(text, base): whitespace, sign, underscores between digits, optional prefix. */
export function parsePyInt(text: string, base: number): number | null {
  let s = text.trim().toLowerCase();
  let sign = 1;
  if (s.startsWith('-') || s.startsWith('+')) {
    if (s[0] === '-') sign = -1;
    s = s.slice(1);
  }
  let b = base;
  const prefixed = /^0([xob])/.exec(s);
  if (prefixed) {
    const pb = prefixed[1] === 'x' ? 16 : prefixed[1] === 'o' ? 8 : 2;
    if (b === 0 || b === pb) {
      b = pb;
      s = s.slice(2).replace(/^_/, '');
    }
  }
  if (b === 0) {
    if (/^0+(_?0)*$/.test(s)) return 0;
    if (/^0/.test(s)) return null;
    b = 10;
  }
  if (s === '' || s.startsWith('_') || s.endsWith('_') || s.includes('__')) return null;
  const digits = s.replaceAll('_', '');
  const valid = '0123456789abcdefghijklmnopqrstuvwxyz'.slice(0, b);
  for (const c of digits) if (!valid.includes(c)) return null;
  const n = Number.parseInt(digits, b);
  return Number.isNaN(n) ? null : sign * n;
}

const FLOAT_TEXT = /^[+-]?(?:(?:\d(?:_?\d)*)?\.?(?:\d(?:_?\d)*)?(?:e[+-]?\d(?:_?\d)*)?|inf(?:inity)?|nan)$/i;

/** Python's float(text). */
export function parsePyFloat(text: string): number | null {
  const s = text.trim();
  if (!FLOAT_TEXT.test(s) || !/\d|inf|nan/i.test(s)) return null;
  const body = s.replace(/^[+-]/, '').toLowerCase();
  if (/^\.?e|^\.$/.test(body)) return null;
  const neg = s.startsWith('-');
  if (body.startsWith('inf')) return neg ? Number.NEGATIVE_INFINITY : Number.POSITIVE_INFINITY;
  if (body === 'nan') return Number.NaN;
  const n = Number(s.replaceAll('_', ''));
  return Number.isNaN(n) ? null : n;
}

/** Python's round(x, ndigits) for floats: ties go to the even neighbour. */
export function roundHalfEven(x: number, digits: number): number {
  if (!Number.isFinite(x)) return x;
  if (digits >= 0 && digits <= 100) return Number(toFixedEven(x, digits));
  const f = 10 ** -digits;
  const q = x / f;
  const floor = Math.floor(q);
  const r = q - floor === 0.5 ? (floor % 2 === 0 ? floor : floor + 1) : Math.round(q);
  return r * f;
}
