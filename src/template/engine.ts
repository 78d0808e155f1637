import { OvnctlError } from '../errors.js';
import type { Expr, Template } from './ast.js';
import { BoundedCache } from './cache.js';
import { type Env, isPossiblyTemplate, NESTED_SETTINGS, type Settings, type Vars } from './context.js';
import { templateError } from './errors.js';
import { Evaluator } from './evaluate.js';
import { Frame } from './frame.js';
import { concatOutput, Output, toNative } from './output.js';
import { parseExpression, parseTemplate } from './parser.js';
import { hasKey } from './python/types.js';
import { Renderer } from './render.js';
import { Undefined } from './undefined.js';

const templates = new BoundedCache<Template>(4096);
const expressions = new BoundedCache<Expr>(4096);

// Templar.SINGLE_VAR: `{{ name }}` naming a bool/number/None var returns it untouched.
// Python's `$` also matches before a final newline.
const SINGLE_VAR = /^\{\{\s*([\p{L}\p{N}_]*)\s*\}\}\n?$/u;

function compile(text: string, s: Pick<Settings, 'trimBlocks' | 'escapeBackslashes'>): Template {
  const key = `${s.trimBlocks ? 'T' : 't'}${s.escapeBackslashes ? 'E' : 'e'}${text}`;
  let t = templates.get(key);
  if (!t) {
    t = parseTemplate(text, { trimBlocks: s.trimBlocks, rawVariableStrings: s.escapeBackslashes });
    templates.set(key, t);
  }
  return t;
}

function trailingNewlines(s: string): number {
  let n = 0;
  while (n < s.length && s[s.length - 1 - n] === '\n') n++;
  return n;
}

/** Templar.template() for one string: the core of renderString and of lazy variables. */
export function renderText(text: string, env: Env): unknown {
  if (!isPossiblyTemplate(text)) return text;
  // Lazily rendered variables always get Templar.template()'s defaults.
  const s = env.chain.length > 0 ? NESTED_SETTINGS : env.settings;
  const single = s.convertData ? SINGLE_VAR.exec(text) : null;
  if (single) {
    const name = single[1] as string;
    if (hasKey(env.vars, name)) {
      const v = env.vars[name];
      if (typeof v === 'boolean' || typeof v === 'number') return v;
      if (v === null || v === undefined) return null;
    }
  }
  // Jinja normalises newlines and drops one trailing newline; Ansible adds the missing ones back.
  const source = text.replace(/\r\n?/g, '\n');
  const body = source.endsWith('\n') ? source.slice(0, -1) : source;
  const out = new Output();
  new Renderer(new Frame(env), body.includes('\n')).body(compile(body, s).body, out);
  const result = s.convertData ? concatOutput(out) : out.joined();
  if (typeof result !== 'string') return result;
  const missing = trailingNewlines(text) - trailingNewlines(result);
  return missing > 0 ? result + '\n'.repeat(missing) : result;
}

export function makeEnv(vars: Vars, settings: Settings): Env {
  return { vars, settings, chain: [], render: renderText };
}

/**
 * A bare expression (when:, changed_when:, assert that:), evaluated to a native value. As in
 * Ansible's conditionals, a string holding `{{ }}` is rendered first and its result, if still
 * text, evaluated as the expression.
 */
export function evaluateExpression(source: string, env: Env): unknown {
  let expr = source;
  if (isPossiblyTemplate(source)) {
    const rendered = renderText(source, env);
    if (typeof rendered !== 'string' || rendered === '') return rendered;
    expr = rendered;
  }
  let ast = expressions.get(expr);
  if (!ast) {
    ast = parseExpression(expr);
    expressions.set(expr, ast);
  }
  const v = new Evaluator(new Frame(env)).eval(ast);
  if (v instanceof Undefined && !v.lenient) v.fail();
  return toNative(v);
}

/** Every error leaving the engine is an OvnctlError that says where the template was written. */
export function withLocation(e: unknown, settings: Settings): OvnctlError {
  let err: OvnctlError;
  if (e instanceof OvnctlError) err = e;
  else if (e instanceof RangeError && /call stack/i.test(e.message))
    err = templateError('recursive loop detected in template', e);
  else err = templateError(`template error: ${e instanceof Error ? e.message : String(e)}`, e);
  return err.at(settings.location);
}
