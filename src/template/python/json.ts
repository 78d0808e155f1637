import { UnsafeText } from '../../yaml/tags.js';
import { templateError } from '../errors.js';
import { OMIT, OMIT_TEXT } from '../omit.js';
import { Undefined } from '../undefined.js';
import { floatRepr } from './str.js';
import { isDict, typeName } from './types.js';
import { PyFloat, pyFloat } from './values.js';

export interface JsonOptions {
  indent: string | null;
  sortKeys: boolean;
  itemSep: string;
  keySep: string;
  ensureAscii: boolean;
}

/** Python's json string encoder (ensure_ascii escapes everything outside printable ASCII). */
function encodeString(s: string, ascii: boolean): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: JSON escapes exactly these control characters
  const re = ascii ? /[\\"]|[^ -~]/g : /[\\"\x00-\x1f]/g;
  return `"${s.replace(re, (c) => {
    switch (c) {
      case '\\':
        return '\\\\';
      case '"':
        return '\\"';
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      case '\t':
        return '\\t';
      case '\b':
        return '\\b';
      case '\f':
        return '\\f';
      default:
        return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
    }
  })}"`;
}

function jsonFloat(n: number): string {
  if (Number.isNaN(n)) return 'NaN';
  if (n === Number.POSITIVE_INFINITY) return 'Infinity';
  if (n === Number.NEGATIVE_INFINITY) return '-Infinity';
  return floatRepr(n);
}

/** Python's json.dumps with the options Ansible's to_json / to_nice_json pass. */
export function jsonDumps(value: unknown, o: JsonOptions): string {
  const seen = new Set<object>();
  const enc = (v: unknown, level: number): string => {
    if (v === null || v === undefined) return 'null';
    if (typeof v === 'boolean') return v ? 'true' : 'false';
    if (typeof v === 'number') return Number.isInteger(v) ? String(v) : jsonFloat(v);
    if (v instanceof PyFloat) return jsonFloat(v.value);
    if (typeof v === 'string') return encodeString(v, o.ensureAscii);
    if (v instanceof UnsafeText) return encodeString(v.text, o.ensureAscii);
    if (v === OMIT) return encodeString(OMIT_TEXT, o.ensureAscii);
    if (v instanceof Undefined) v.fail();
    const isList = Array.isArray(v);
    if (!isList && !isDict(v)) throw templateError(`Object of type ${typeName(v)} is not JSON serializable`);
    if (seen.has(v)) throw templateError('Circular reference detected');
    seen.add(v);
    const inner = o.indent === null ? '' : `\n${o.indent.repeat(level + 1)}`;
    const outer = o.indent === null ? '' : `\n${o.indent.repeat(level)}`;
    let parts: string[];
    if (isList) parts = v.map((x) => enc(x, level + 1));
    else {
      const keys = Object.keys(v);
      if (o.sortKeys) keys.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      parts = keys.map((k) => encodeString(k, o.ensureAscii) + o.keySep + enc(v[k], level + 1));
    }
    seen.delete(v);
    const [open, close] = isList ? ['[', ']'] : ['{', '}'];
    if (parts.length === 0) return open + close;
    return open + inner + parts.join(o.itemSep + inner) + outer + close;
  };
  return enc(value, 0);
}

/** Python's json.loads: floats stay floats (`1.0`), NaN and Infinity are accepted. */
export function jsonLoads(text: string): unknown {
  let i = 0;
  const fail = (what: string): never => {
    throw templateError(`invalid JSON: ${what} at char ${i}`);
  };
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const value = (): unknown => {
    ws();
    const c = text[i];
    if (c === '{') {
      i++;
      const out: Record<string, unknown> = {};
      ws();
      if (text[i] === '}') {
        i++;
        return out;
      }
      for (;;) {
        ws();
        if (text[i] !== '"') fail('expecting property name enclosed in double quotes');
        const k = str();
        ws();
        if (text[i++] !== ':') fail("expecting ':' delimiter");
        out[k] = value();
        ws();
        const d = text[i++];
        if (d === '}') return out;
        if (d !== ',') fail("expecting ',' delimiter");
      }
    }
    if (c === '[') {
      i++;
      const out: unknown[] = [];
      ws();
      if (text[i] === ']') {
        i++;
        return out;
      }
      for (;;) {
        out.push(value());
        ws();
        const d = text[i++];
        if (d === ']') return out;
        if (d !== ',') fail("expecting ',' delimiter");
      }
    }
    if (c === '"') return str();
    for (const [word, v] of [
      ['true', true],
      ['false', false],
      ['null', null],
      ['NaN', Number.NaN],
      ['Infinity', Number.POSITIVE_INFINITY],
      ['-Infinity', Number.NEGATIVE_INFINITY],
    ] as const) {
      if (text.startsWith(word, i)) {
        i += word.length;
        return v;
      }
    }
    const m = /-?(?:0|[1-9]\d*)(\.\d+)?([eE][-+]?\d+)?/y;
    m.lastIndex = i;
    const num = m.exec(text);
    if (!num) return fail('expecting value');
    i += num[0].length;
    return num[1] || num[2] ? pyFloat(Number(num[0])) : Number(num[0]);
  };
  const str = (): string => {
    i++;
    let out = '';
    for (;;) {
      const c = text[i++];
      if (c === undefined) fail('unterminated string');
      if (c === '"') return out;
      if (c === '\\') {
        const e = text[i++];
        const map: Record<string, string> = {
          '"': '"',
          '\\': '\\',
          '/': '/',
          b: '\b',
          f: '\f',
          n: '\n',
          r: '\r',
          t: '\t',
        };
        if (e === 'u') {
          const hex = text.slice(i, i + 4);
          if (!/^[0-9a-fA-F]{4}$/.test(hex)) fail('invalid \\uXXXX escape');
          out += String.fromCharCode(Number.parseInt(hex, 16));
          i += 4;
        } else if (e !== undefined && map[e] !== undefined) out += map[e];
        else fail('invalid \\escape');
      } else if ((c as string) < ' ') fail('invalid control character');
      else out += c;
    }
  };
  const v = value();
  ws();
  if (i < text.length) fail('extra data');
  return v;
}
