import { templateError } from './errors.js';
import { OMIT } from './omit.js';
import { pyIter } from './python/types.js';
import { isInt, Namespace, PyFunction } from './python/values.js';

function intArg(v: unknown, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (!isInt(v)) throw templateError(`${what} must be an integer`);
  return v;
}

function range(args: unknown[]): number[] {
  if (args.length < 1 || args.length > 3) throw templateError('range expected 1 to 3 arguments');
  const nums = args.map((a) => intArg(a, 'range() argument'));
  const [start, stop, step] =
    nums.length === 1 ? [0, nums[0] ?? 0, 1] : [nums[0] ?? 0, nums[1] ?? 0, nums[2] ?? 1];
  if (step === 0) throw templateError('range() arg 3 must not be zero');
  const out: number[] = [];
  // Jinja caps ranges at 100000 items (MAX_RANGE) to stop runaway templates.
  for (let i = start; step > 0 ? i < stop : i > stop; i += step) {
    out.push(i);
    if (out.length > 100_000) throw templateError('range too big: the maximum is 100000 items');
  }
  return out;
}

function dict(args: unknown[], kwargs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (args.length > 1) throw templateError('dict expected at most 1 argument');
  if (args.length === 1) {
    const src = args[0];
    if (typeof src === 'object' && src !== null && !Array.isArray(src)) Object.assign(out, src);
    else {
      for (const pair of pyIter(src)) {
        const kv = pyIter(pair);
        if (kv.length !== 2)
          throw templateError('dictionary update sequence element has the wrong length; 2 is required');
        out[String(kv[0])] = kv[1];
      }
    }
  }
  return Object.assign(out, kwargs);
}

function unsupportedLookup(name: string): PyFunction {
  return new PyFunction(name, (args) => {
    throw templateError(`${name}('${String(args[0])}', ...) is not supported by ovnctl templates`, undefined);
  });
}

/** Names every template sees when neither locals nor vars define them. */
export const globals: Record<string, unknown> = {
  omit: OMIT,
  range: new PyFunction('range', (args) => range(args)),
  dict: new PyFunction('dict', dict),
  namespace: new PyFunction('namespace', (args, kwargs) => new Namespace(dict(args, kwargs))),
  lookup: unsupportedLookup('lookup'),
  query: unsupportedLookup('query'),
  q: unsupportedLookup('q'),
};
Object.setPrototypeOf(globals, null);
