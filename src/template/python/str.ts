import { UnsafeText } from '../../yaml/tags.js';
import { OMIT, OMIT_TEXT } from '../omit.js';
import { Undefined } from '../undefined.js';
import { isDict } from './types.js';
import { BoundMethod, isTuple, Namespace, PyFloat, PyFunction } from './values.js';

/** Python's repr() of a float: shortest round-trip digits, exponent outside [1e-4, 1e16). */
export function floatRepr(n: number): string {
  if (Number.isNaN(n)) return 'nan';
  if (n === Number.POSITIVE_INFINITY) return 'inf';
  if (n === Number.NEGATIVE_INFINITY) return '-inf';
  if (n === 0) return Object.is(n, -0) ? '-0.0' : '0.0';
  const sign = n < 0 ? '-' : '';
  const [mant = '', expText = '0'] = Math.abs(n).toExponential().split('e');
  const digits = mant.replace('.', '');
  const exp = Number(expText);
  if (exp < -4 || exp >= 16) {
    const m = digits.length > 1 ? `${digits[0]}.${digits.slice(1)}` : digits;
    const e = Math.abs(exp) < 10 ? `0${Math.abs(exp)}` : String(Math.abs(exp));
    return `${sign}${m}e${exp < 0 ? '-' : '+'}${e}`;
  }
  if (exp < 0) return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  const intPart = digits.slice(0, exp + 1).padEnd(exp + 1, '0');
  const frac = digits.slice(exp + 1);
  return `${sign}${intPart}.${frac === '' ? '0' : frac}`;
}

function intStr(n: number): string {
  if (Math.abs(n) < 1e21) return String(n === 0 ? 0 : n);
  return BigInt(n).toString();
}

// Python's str.isprintable(): everything except controls, format chars, separators (but space).
const NON_PRINTABLE = /[\p{Cc}\p{Cf}\p{Cs}\p{Co}\p{Cn}\p{Zl}\p{Zp}\p{Zs}]/u;

function escapeChar(ch: string): string {
  const cp = ch.codePointAt(0) ?? 0;
  if (cp < 0x100) return `\\x${cp.toString(16).padStart(2, '0')}`;
  if (cp < 0x10000) return `\\u${cp.toString(16).padStart(4, '0')}`;
  return `\\U${cp.toString(16).padStart(8, '0')}`;
}

/** Python's repr() of a str. */
export function strRepr(s: string): string {
  const quote = s.includes("'") && !s.includes('"') ? '"' : "'";
  let out = quote;
  for (const ch of s) {
    if (ch === quote || ch === '\\') out += `\\${ch}`;
    else if (ch === '\n') out += '\\n';
    else if (ch === '\r') out += '\\r';
    else if (ch === '\t') out += '\\t';
    else if (ch !== ' ' && NON_PRINTABLE.test(ch)) out += escapeChar(ch);
    else out += ch;
  }
  return out + quote;
}

/** Python's str(). Undefined is not handled here: callers check it first. */
export function pyStr(v: unknown): string {
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return 'None';
  if (typeof v === 'boolean') return v ? 'True' : 'False';
  if (typeof v === 'number') return Number.isInteger(v) ? intStr(v) : floatRepr(v);
  if (v instanceof PyFloat) return floatRepr(v.value);
  if (v instanceof UnsafeText) return v.text;
  if (v === OMIT) return OMIT_TEXT;
  return pyRepr(v);
}

/** Python's repr(). */
export function pyRepr(v: unknown): string {
  if (typeof v === 'string') return strRepr(v);
  if (v instanceof UnsafeText) return strRepr(v.text);
  if (v === OMIT) return strRepr(OMIT_TEXT);
  if (Array.isArray(v)) {
    const inner = v.map(pyRepr).join(', ');
    if (!isTuple(v)) return `[${inner}]`;
    return v.length === 1 ? `(${inner},)` : `(${inner})`;
  }
  if (v instanceof Undefined) return `AnsibleUndefined(name=${strRepr(v.name)})`;
  if (v instanceof BoundMethod) return `<built-in method ${v.name}>`;
  if (v instanceof PyFunction) return `<function ${v.name}>`;
  if (v instanceof Namespace) return `<Namespace ${pyRepr(v.attrs)}>`;
  if (isDict(v)) {
    const parts = Object.keys(v).map((k) => `${strRepr(k)}: ${pyRepr(v[k])}`);
    return `{${parts.join(', ')}}`;
  }
  if (typeof v === 'object' && v !== null && !(v instanceof PyFloat)) return String(v);
  return pyStr(v);
}
