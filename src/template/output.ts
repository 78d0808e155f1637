import { types as utilTypes } from 'node:util';
import { UnsafeText } from '../yaml/tags.js';
import { OMIT } from './omit.js';
import { literalEval } from './python/literal.js';
import { pyStr } from './python/str.js';
import { isDict } from './python/types.js';
import { isTuple, PyFloat } from './python/values.js';
import { Undefined } from './undefined.js';

/** Ansible's finalize: undefined values anywhere inside an output are errors. */
function failOnUndefined(v: unknown): void {
  if (v instanceof Undefined) {
    if (!v.lenient) v.fail();
  } else if (Array.isArray(v)) {
    for (const x of v) failOnUndefined(x);
  } else if (isDict(v) && !utilTypes.isProxy(v)) {
    for (const k of Object.keys(v)) failOnUndefined(v[k]);
  }
}

/** The chunks one render produces, kept so a single `{{ expr }}` can stay native. */
export class Output {
  readonly parts: string[] = [];
  count = 0;
  first: unknown;
  firstIsText = false;
  firstIsNativeText = false;

  text(s: string): void {
    if (s === '') return;
    if (this.count++ === 0) {
      this.first = s;
      this.firstIsText = true;
    }
    this.parts.push(s);
  }

  value(v: unknown, nativeText: boolean): void {
    failOnUndefined(v);
    const out = v === null || v === undefined || v instanceof Undefined ? '' : v;
    if (this.count++ === 0) {
      this.first = out;
      this.firstIsNativeText = nativeText;
    }
    this.parts.push(pyStr(out));
  }

  joined(): string {
    return this.parts.join('');
  }
}

/** Plain JS values for callers: floats as numbers, tuples as arrays, !unsafe as text. */
export function toNative(v: unknown): unknown {
  if (v instanceof PyFloat) return v.value;
  if (v instanceof UnsafeText) return v.text;
  if (Array.isArray(v)) {
    let out: unknown[] | null = null;
    v.forEach((x, i) => {
      const n = toNative(x);
      if (n !== x && out === null) out = v.slice(0, i);
      if (out !== null) out.push(n);
    });
    return out ?? v;
  }
  if (isDict(v) && !utilTypes.isProxy(v)) {
    let out: Record<string, unknown> | null = null;
    const keys = Object.keys(v);
    keys.forEach((k, i) => {
      const x = v[k];
      const n = toNative(x);
      if (n !== x && out === null) {
        out = {};
        for (const prev of keys.slice(0, i)) out[prev] = v[prev];
      }
      if (out !== null) out[k] = n;
    });
    return out ?? v;
  }
  return v;
}

/** ansible_eval_concat's last step: text that looks like a list, dict or bool becomes one. */
export function literalize(s: string): unknown {
  if (s.startsWith('{') || s.startsWith('[') || s === 'True' || s === 'False') {
    const r = literalEval(s);
    if (r.ok) return toNative(r.value);
  }
  return s;
}

/** Ansible's concat of the rendered chunks (jinja2_native off, the default). */
export function concatOutput(out: Output): unknown {
  if (out.count === 0) return '';
  if (out.count === 1 && !out.firstIsText) {
    const v = out.first;
    if (out.firstIsNativeText) return v;
    if (typeof v === 'string') return literalize(v);
    if (typeof v === 'boolean' || v === OMIT) return v;
    if ((Array.isArray(v) && !isTuple(v)) || isDict(v)) return toNative(v);
  }
  return literalize(out.joined());
}
