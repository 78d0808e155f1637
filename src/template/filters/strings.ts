import { createHash, getHashes } from 'node:crypto';
import { templateError } from '../errors.js';
import { replaceCount } from '../methods-str.js';
import { bindArgs, REQUIRED } from '../python/args.js';
import { pyStr } from '../python/str.js';
import { pyCapitalize, pySplit, pyStrip } from '../python/strings.js';
import { asString, pyIter } from '../python/types.js';
import { makeTuple } from '../python/values.js';
import type { FilterFn } from '../runtime.js';
import { defined } from '../undefined.js';
import { intArg } from './args.js';

function text(v: unknown): string {
  return pyStr(defined(v));
}

function optText(v: unknown): string | null {
  return v === null || v === undefined ? null : text(v);
}

function dirname(p: string): string {
  const i = p.lastIndexOf('/') + 1;
  let head = p.slice(0, i);
  if (head && head !== '/'.repeat(head.length)) head = head.replace(/\/+$/, '');
  return head;
}

function splitext(p: string): string[] {
  const slash = p.lastIndexOf('/');
  const dot = p.lastIndexOf('.');
  if (dot > slash) {
    let i = slash + 1;
    while (i < dot && p[i] === '.') i++;
    if (i < dot) return makeTuple([p.slice(0, dot), p.slice(dot)]);
  }
  return makeTuple([p, '']);
}

function pathJoin(parts: string[]): string {
  let out = '';
  for (const part of parts) {
    if (part.startsWith('/')) out = part;
    else if (out === '' || out.endsWith('/')) out += part;
    else out += `/${part}`;
  }
  return out;
}

/** shlex.quote. */
export function shellQuote(s: string): string {
  if (s === '') return "''";
  if (!/[^\w@%+=:,./-]/.test(s)) return s;
  return `'${s.replaceAll("'", `'"'"'`)}'`;
}

/** Python's lenient base64 decoding: other characters are skipped, padding is checked. */
function b64decodeBytes(s: string): Buffer {
  const data = s.replace(/[^A-Za-z0-9+/=]/g, '');
  const body = data.replace(/=.*$/s, '');
  const rem = body.length % 4;
  if (rem === 1) {
    throw templateError(
      `Invalid base64-encoded string: number of data characters (${body.length}) cannot be 1 more than a multiple of 4`,
    );
  }
  const pads = data.length - body.length;
  if (rem !== 0 && pads < 4 - rem) throw templateError('Incorrect padding');
  return Buffer.from(body, 'base64');
}

function encodingOf(v: unknown): BufferEncoding {
  const e = text(v).toLowerCase().replace('_', '-');
  if (e === 'utf-8' || e === 'utf8') return 'utf8';
  if (e === 'utf-16-le' || e === 'utf-16le' || e === 'utf-16') return 'utf16le';
  if (e === 'ascii' || e === 'latin-1' || e === 'latin1') return e === 'ascii' ? 'ascii' : 'latin1';
  throw templateError(`unsupported encoding '${e}'`);
}

function hashHex(algorithm: string, data: unknown): string {
  const algo = algorithm.toLowerCase();
  if (!getHashes().includes(algo)) throw templateError(`unsupported hash type ${algorithm}`);
  return createHash(algo).update(text(data), 'utf8').digest('hex');
}

const PY_SPECIAL = new Set(Array.from('()[]{}?*+-|^$\\.&~# \t\n\r\v\f'));

export const stringFilters: Record<string, FilterFn> = {
  lower: (v) => text(v).toLowerCase(),
  upper: (v) => text(v).toUpperCase(),
  capitalize: (v) => pyCapitalize(text(v)),
  title: (v) =>
    text(v)
      .split(/([-\s({[<]+)/)
      .filter((w) => w !== '')
      .map((w) => pyCapitalize(w))
      .join(''),
  trim: (v, a, k) => pyStrip(text(v), optText(bindArgs('trim', [['chars', null]], a, k)[0]), 'both'),
  replace: (v, a, k) => {
    const [old, repl, count] = bindArgs(
      'replace',
      [
        ['old', REQUIRED],
        ['new', REQUIRED],
        ['count', null],
      ],
      a,
      k,
    );
    return replaceCount(text(v), text(old), text(repl), count === null ? -1 : intArg(count, 'count'));
  },
  split: (v, a, k) => {
    const [sep, max] = bindArgs(
      'split',
      [
        ['sep', null],
        ['maxsplit', -1],
      ],
      a,
      k,
    );
    return pySplit(asString(v, 'split'), optText(sep), intArg(max, 'maxsplit'));
  },
  quote: (v) => shellQuote(v === null || v === undefined ? '' : text(v)),
  basename: (v) => {
    const p = asString(v, 'basename');
    return p.slice(p.lastIndexOf('/') + 1);
  },
  dirname: (v) => dirname(asString(v, 'dirname')),
  splitext: (v) => splitext(asString(v, 'splitext')),
  path_join: (v) => (typeof v === 'string' ? v : pathJoin(pyIter(v).map((p) => asString(p, 'path_join')))),
  b64encode: (v, a, k) => {
    const [enc] = bindArgs('b64encode', [['encoding', 'utf-8']], a, k);
    return Buffer.from(text(v), encodingOf(enc)).toString('base64');
  },
  b64decode: (v, a, k) => {
    const [enc] = bindArgs('b64decode', [['encoding', 'utf-8']], a, k);
    return b64decodeBytes(text(v)).toString(encodingOf(enc));
  },
  hash: (v, a, k) => hashHex(text(bindArgs('hash', [['hashtype', 'sha1']], a, k)[0]), v),
  md5: (v) => hashHex('md5', v),
  sha1: (v) => hashHex('sha1', v),
  checksum: (v) => hashHex('sha1', v),
  regex_escape: (v, a, k) => {
    const [type] = bindArgs('regex_escape', [['re_type', 'python']], a, k);
    const s = text(v);
    if (type === 'python') return Array.from(s, (c) => (PY_SPECIAL.has(c) ? `\\${c}` : c)).join('');
    if (type === 'posix_basic') return s.replace(/[\].[^$*\\]/g, '\\$&');
    throw templateError(`Invalid regex type (${text(type)})`);
  },
};
