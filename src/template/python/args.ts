import { templateError } from '../errors.js';

/** Marks a parameter without a default. */
export const REQUIRED: unique symbol = Symbol('required');

export type Param = readonly [name: string, dflt: unknown];

/**
 * Binds positional and keyword arguments to parameters the way a Python call does
 * (parameters listed in order with their defaults; REQUIRED for none).
 */
export function bindArgs(
  fname: string,
  params: readonly Param[],
  args: readonly unknown[],
  kwargs: Readonly<Record<string, unknown>>,
): unknown[] {
  if (args.length > params.length) {
    throw templateError(`${fname}() takes at most ${params.length} argument(s) (${args.length} given)`);
  }
  const out = params.map(([, d]) => d);
  args.forEach((a, i) => {
    out[i] = a;
  });
  for (const [k, v] of Object.entries(kwargs)) {
    const i = params.findIndex(([n]) => n === k);
    if (i === -1) throw templateError(`${fname}() got an unexpected keyword argument '${k}'`);
    if (i < args.length) throw templateError(`${fname}() got multiple values for argument '${k}'`);
    out[i] = v;
  }
  const missing = out.indexOf(REQUIRED);
  if (missing !== -1) throw templateError(`${fname}() missing required argument '${params[missing]?.[0]}'`);
  return out;
}
