import { evaluate, isTruthy } from '../../template/index.js';
import { defineModule } from '../types.js';
import { moduleTemplateOptions } from './support/template-options.js';

export interface AssertParams {
  that: string | boolean | (string | boolean)[];
  fail_msg?: unknown;
  msg?: unknown;
  success_msg?: unknown;
  quiet?: boolean;
}

function text(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

/** Each `that` entry is a bare Jinja expression (a boolean when the engine already rendered `{{ }}`). */
export const assertModule = defineModule<AssertParams>({
  name: 'assert',
  schema: 'assert',
  async plan(p, ctx) {
    const conditions = Array.isArray(p.that) ? p.that : [p.that];
    for (const condition of conditions) {
      const holds =
        typeof condition === 'boolean'
          ? condition
          : isTruthy(evaluate(condition, ctx.vars, moduleTemplateOptions(ctx)));
      if (!holds) {
        const message = text(p.fail_msg ?? p.msg ?? 'Assertion failed');
        return { steps: [], failed: message, result: { assertion: condition, evaluated_to: false } };
      }
    }
    if (p.quiet) return { steps: [], result: {} };
    const message = text(p.success_msg ?? 'All assertions passed');
    return { steps: [], msg: message, result: { msg: message } };
  },
});
