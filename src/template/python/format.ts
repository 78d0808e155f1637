import { templateError } from '../errors.js';
import { defined } from '../undefined.js';
import { toExponentialEven, toFixedEven } from './decimal.js';
import { floatRepr, pyRepr, pyStr } from './str.js';
import { isDict, typeName } from './types.js';
import { isFloat, isNumeric, isTuple, numValue } from './values.js';

interface Spec {
  fill: string;
  align: string;
  sign: string;
  alt: boolean;
  zero: boolean;
  width: number;
  grouping: string;
  precision: number | null;
  type: string;
}

const SPEC = /^(?:([\s\S])?([<>=^]))?([-+ ])?(z)?(#)?(0)?(\d+)?([,_])?(?:\.(\d+))?([bcdeEfFgGnosxX%])?$/;

function parseSpec(spec: string): Spec {
  const m = SPEC.exec(spec);
  if (!m) throw templateError(`invalid format specifier '${spec}'`);
  return {
    fill: m[1] ?? (m[6] && !m[2] ? '0' : ' '),
    align: m[2] ?? (m[6] ? '=' : ''),
    sign: m[3] ?? '-',
    alt: m[5] !== undefined,
    zero: m[6] !== undefined,
    width: m[7] ? Number(m[7]) : 0,
    grouping: m[8] ?? '',
    precision: m[9] !== undefined ? Number(m[9]) : null,
    type: m[10] ?? '',
  };
}

function expFormat(x: number, digits: number, upper: boolean): string {
  const [mant = '', exp = '0'] = toExponentialEven(x, digits).split('e');
  const e = Number(exp);
  const s = `${mant}e${e < 0 ? '-' : '+'}${String(Math.abs(e)).padStart(2, '0')}`;
  return upper ? s.toUpperCase() : s;
}

/** Python's %g / {:g}: fixed or exponent notation by the rounded exponent, trailing zeros dropped. */
function generalFormat(x: number, precision: number, alt: boolean, upper: boolean): string {
  const p = precision === 0 ? 1 : precision;
  if (!Number.isFinite(x)) return fixedSpecial(x, upper);
  const e = x === 0 ? 0 : Number(toExponentialEven(x, p - 1).split('e')[1]);
  const s = e >= -4 && e < p ? toFixedEven(x, Math.max(0, p - 1 - e)) : expFormat(x, p - 1, upper);
  return alt ? s : stripZeros(s);
}

function stripZeros(s: string): string {
  const i = s.search(/[eE]/);
  const mant = i === -1 ? s : s.slice(0, i);
  if (!mant.includes('.')) return s;
  return mant.replace(/0+$/, '').replace(/\.$/, '') + (i === -1 ? '' : s.slice(i));
}

function fixedSpecial(x: number, upper: boolean): string {
  const s = Number.isNaN(x) ? 'nan' : x > 0 ? 'inf' : '-inf';
  return upper ? s.toUpperCase() : s;
}

function group(intDigits: string, sep: string): string {
  return sep ? intDigits.replace(/\B(?=(\d{3})+(?!\d))/g, sep) : intDigits;
}

function formatNumber(v: number | boolean | import('./values.js').PyFloat, s: Spec): string {
  const x = numValue(v);
  const float = isFloat(v);
  let type = s.type;
  if (type === '' && !float) type = 'd';
  let body: string;
  const abs = Math.abs(x);
  switch (type) {
    case 'd':
    case 'n':
      if (float) throw templateError("Unknown format code 'd' for object of type 'float'");
      body = group(String(abs), s.grouping);
      break;
    case 'b':
      body = abs.toString(2);
      break;
    case 'o':
      body = (s.alt ? '0o' : '') + abs.toString(8);
      break;
    case 'x':
    case 'X':
      body = (s.alt ? '0x' : '') + abs.toString(16);
      if (type === 'X') body = body.toUpperCase();
      break;
    case 'c':
      body = String.fromCodePoint(x);
      break;
    case 'e':
    case 'E':
      body = Number.isFinite(x)
        ? expFormat(abs, s.precision ?? 6, type === 'E')
        : fixedSpecial(abs, type === 'E');
      break;
    case 'f':
    case 'F':
      body = Number.isFinite(x) ? toFixedEven(abs, s.precision ?? 6) : fixedSpecial(abs, type === 'F');
      body = body.replace(/^\d+/, (d) => group(d, s.grouping));
      break;
    case '%':
      body = `${toFixedEven(abs * 100, s.precision ?? 6)}%`;
      break;
    case 'g':
    case 'G':
      body = generalFormat(abs, s.precision ?? 6, s.alt, type === 'G');
      break;
    default:
      body = s.precision === null ? floatRepr(abs) : generalFormat(abs, s.precision, s.alt, false);
      if (s.precision !== null && Number.isFinite(abs) && !/[.e]/.test(body)) body += '.0';
  }
  const neg = x < 0 || Object.is(x, -0);
  const sign = neg ? '-' : s.sign === '+' ? '+' : s.sign === ' ' ? ' ' : '';
  return pad(sign, body, s, '>');
}

function pad(sign: string, body: string, s: Spec, defaultAlign: string): string {
  const len = [...sign].length + [...body].length;
  const room = s.width - len;
  if (room <= 0) return sign + body;
  const fill = s.fill.repeat(room);
  switch (s.align || defaultAlign) {
    case '<':
      return sign + body + fill;
    case '^': {
      const left = Math.floor(room / 2);
      return s.fill.repeat(left) + sign + body + s.fill.repeat(room - left);
    }
    case '=':
      return sign + fill + body;
    default:
      return fill + sign + body;
  }
}

/** Python's format(value, spec). */
export function formatValue(v0: unknown, spec: string): string {
  const v = defined(v0);
  if (spec === '') return pyStr(v);
  const s = parseSpec(spec);
  if (isNumeric(v) && !(typeof v === 'boolean' && (s.type === '' || s.type === 's')))
    return formatNumber(v, s);
  if (typeof v !== 'string' && typeof v !== 'boolean') {
    throw templateError(`unsupported format string passed to ${typeName(v)}.__format__`);
  }
  if (s.type !== '' && s.type !== 's')
    throw templateError(`Unknown format code '${s.type}' for object of type 'str'`);
  let text = pyStr(v);
  if (s.precision !== null) text = [...text].slice(0, s.precision).join('');
  return pad('', text, s, '<');
}

function fieldValue(
  field: string,
  args: unknown[],
  kwargs: Record<string, unknown>,
  auto: { n: number; mode: '' | 'auto' | 'manual' },
): unknown {
  const m = /^([^.[]*)(.*)$/.exec(field) as RegExpExecArray;
  const head = m[1] ?? '';
  const mode = head === '' ? 'auto' : /^\d+$/.test(head) ? 'manual' : '';
  if (mode !== '') {
    if (auto.mode !== '' && auto.mode !== mode) {
      throw templateError('cannot switch between automatic and manual field numbering in format string');
    }
    auto.mode = mode;
  }
  let v: unknown;
  if (head === '') v = args[auto.n++];
  else if (/^\d+$/.test(head)) v = args[Number(head)];
  else {
    if (!Object.hasOwn(kwargs, head)) throw templateError(`KeyError: '${head}' in format string`);
    v = kwargs[head];
  }
  if (v === undefined && (head === '' || /^\d+$/.test(head))) {
    throw templateError('Replacement index out of range for positional args tuple');
  }
  for (const part of (m[2] ?? '').matchAll(/\.(\w+)|\[([^\]]*)\]/g)) {
    const key = part[1] ?? part[2] ?? '';
    if (Array.isArray(v) && /^\d+$/.test(key)) v = v[Number(key)];
    else if (isDict(v)) v = v[key];
    else throw templateError(`cannot look up '${key}' in a ${typeName(v)} in format string`);
  }
  return v;
}

/** Python's str.format(). */
export function strFormat(fmt: string, args: unknown[], kwargs: Record<string, unknown>): string {
  const auto: { n: number; mode: '' | 'auto' | 'manual' } = { n: 0, mode: '' };
  return fmt.replace(/\{\{|\}\}|\{([^{}]*)\}/g, (all, inner: string | undefined) => {
    if (all === '{{') return '{';
    if (all === '}}') return '}';
    const m = /^([^!:]*)(?:!([rsa]))?(?::(.*))?$/s.exec(inner ?? '') as RegExpExecArray;
    let v = fieldValue(m[1] ?? '', args, kwargs, auto);
    if (m[2] === 'r' || m[2] === 'a') v = pyRepr(v);
    else if (m[2] === 's') v = pyStr(defined(v));
    return formatValue(v, m[3] ?? '');
  });
}

const PRINTF = /%(?:\(([^)]*)\))?([-+ #0]*)(\*|\d+)?(?:\.(\*|\d+))?[hlL]?([diouxXeEfFgGcrsa%])/g;

/** Python's printf-style `fmt % args`. */
export function printf(fmt: string, args0: unknown): string {
  const args = Array.isArray(args0) && isTuple(args0) ? args0 : [args0];
  let i = 0;
  const next = () => {
    if (i >= args.length) throw templateError('not enough arguments for format string');
    return args[i++];
  };
  const out = fmt.replace(
    PRINTF,
    (_all, key: string | undefined, flags: string, width?: string, prec?: string, type = 's') => {
      if (type === '%') return '%';
      const w = width === '*' ? Number(next()) : width ? Number(width) : 0;
      const p = prec === '*' ? Number(next()) : prec !== undefined ? Number(prec) : null;
      const v = key !== undefined && isDict(args0) ? args0[key] : next();
      const spec: Spec = {
        fill: flags.includes('0') && !flags.includes('-') && type !== 's' && type !== 'r' ? '0' : ' ',
        align: flags.includes('-') ? '<' : flags.includes('0') && type !== 's' && type !== 'r' ? '=' : '>',
        sign: flags.includes('+') ? '+' : flags.includes(' ') ? ' ' : '-',
        alt: flags.includes('#'),
        zero: false,
        width: w,
        grouping: '',
        precision: p,
        type: type === 'i' || type === 'u' ? 'd' : type,
      };
      if (type === 's' || type === 'r' || type === 'a') {
        let text = type === 's' ? pyStr(defined(v)) : pyRepr(v);
        if (p !== null) text = text.slice(0, p);
        return pad('', text, spec, '>');
      }
      const x = defined(v);
      if (!isNumeric(x))
        throw templateError(`%${type} format: a real number is required, not ${typeName(x)}`);
      if (spec.type === 'd') {
        const n = Math.trunc(numValue(x));
        return formatNumber(n, spec);
      }
      return formatNumber(x, spec);
    },
  );
  if (i < args.length && !isDict(args0))
    throw templateError('not all arguments converted during string formatting');
  return out;
}
