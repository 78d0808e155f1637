import { isOvnctlError } from '../../errors.js';
import { evaluate } from '../../template/index.js';
import { defineModule, type PlanContext } from '../types.js';
import { moduleTemplateOptions } from './support/template-options.js';

export interface DebugParams {
  msg?: unknown;
  var?: string;
  verbosity?: number;
}

function show(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value, null, 4);
}

/** `var` is an expression evaluated against the host's variables; undefined prints as Ansible does. */
function variableValue(expression: string, ctx: PlanContext): unknown {
  try {
    return evaluate(expression, ctx.vars, moduleTemplateOptions(ctx));
  } catch (e) {
    if (isOvnctlError(e) && e.code === 'undefined-variable') return 'VARIABLE IS NOT DEFINED!';
    throw e;
  }
}

export const debugModule = defineModule<DebugParams>({
  name: 'debug',
  schema: 'debug',
  async plan(p, ctx) {
    if (p.var !== undefined) {
      const value = variableValue(p.var, ctx);
      return { steps: [], msg: show({ [p.var]: value }), result: { [p.var]: value } };
    }
    const msg = p.msg === undefined ? 'Hello world!' : p.msg;
    return { steps: [], msg: show(msg), result: { msg } };
  },
});
