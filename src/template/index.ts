import type { SourceLocation } from '../errors.js';
import { UnsafeText, type VaultedValue } from '../yaml/tags.js';
import { isPossiblyTemplate, type Settings, type Vars } from './context.js';
import { evaluateExpression, makeEnv, renderText, withLocation } from './engine.js';
import { truthy } from './python/ops.js';
import { pyStr } from './python/str.js';

export { OMIT } from './omit.js';
export { Undefined } from './undefined.js';
export type { Vars };

export interface TemplateOptions {
  /** Where the template string was written; every error carries it. */
  location?: SourceLocation;
  /** Called when a looked-up value is a VaultedValue. */
  decryptVault?: (v: VaultedValue) => string;
  /** Remove the first newline after a block tag; Ansible's default (true). */
  trimBlocks?: boolean;
  /**
   * Ansible doubles backslashes inside `{{ }}` string literals of task values so `'\d'` stays
   * `\d` (default true). The template module passes false: escapes are processed as in Jinja.
   */
  escapeBackslashes?: boolean;
  /**
   * Ansible's convert_data (default true): a lone `{{ expr }}` keeps its native type and text
   * that looks like a list/dict/bool is converted. The template module passes false: it always
   * produces text (`True`, not `true`; a file reading `[1, 2]` stays text).
   */
  convertData?: boolean;
}

function settings(opts: TemplateOptions | undefined): Settings {
  return {
    location: opts?.location,
    decryptVault: opts?.decryptVault,
    trimBlocks: opts?.trimBlocks ?? true,
    escapeBackslashes: opts?.escapeBackslashes ?? true,
    convertData: opts?.convertData ?? true,
  };
}

/** Whether a string contains `{{`, `{%` or `{#`. */
export function isTemplate(s: string): boolean {
  return isPossiblyTemplate(s);
}

/**
 * Renders a template as Ansible does (jinja2_native off): one `{{ expr }}` yields the native
 * value for bools, lists and dicts (and for vars holding numbers/None); text that looks like a
 * list, dict or bool is converted; anything else is a string. OMIT comes back for `omit`.
 */
export function renderString(text: string, vars: Vars, opts?: TemplateOptions): unknown {
  if (text.indexOf('{') === -1) return text;
  const s = settings(opts);
  try {
    return renderText(text, makeEnv(vars, s));
  } catch (e) {
    throw withLocation(e, s);
  }
}

function renderValue(value: unknown, vars: Vars, s: Settings): unknown {
  if (typeof value === 'string')
    return value.indexOf('{') === -1 ? value : renderText(value, makeEnv(vars, s));
  if (value instanceof UnsafeText) return value.text;
  if (Array.isArray(value)) return value.map((v) => renderValue(v, vars, s));
  if (typeof value === 'object' && value !== null && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const key = renderValue(k, vars, s);
      out[typeof key === 'string' ? key : pyStr(key)] = renderValue(v, vars, s);
    }
    return out;
  }
  return value;
}

/** renderString over nested arrays and plain objects (keys too); !unsafe text comes out as plain text. */
export function renderDeep(value: unknown, vars: Vars, opts?: TemplateOptions): unknown {
  const s = settings(opts);
  try {
    return renderValue(value, vars, s);
  } catch (e) {
    throw withLocation(e, s);
  }
}

/** A bare Jinja expression, as in `when:` / `failed_when:` / `assert: that:`. */
export function evaluate(expr: string, vars: Vars, opts?: TemplateOptions): unknown {
  const s = settings(opts);
  try {
    return evaluateExpression(expr, makeEnv(vars, s));
  } catch (e) {
    throw withLocation(e, s);
  }
}

/** Python truthiness; an Undefined throws OvnctlError('undefined-variable'). */
export function isTruthy(v: unknown): boolean {
  return truthy(v);
}
