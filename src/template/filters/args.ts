import { templateError } from '../errors.js';
import type { Runtime } from '../runtime.js';
import { Undefined } from '../undefined.js';

/** Jinja's make_attrgetter: `a.b.0` walks items, digits as list indexes. */
export function attrGetter(rt: Runtime, attribute: unknown, dflt?: unknown): (item: unknown) => unknown {
  if (attribute === null || attribute === undefined) return (x) => x;
  const parts =
    typeof attribute === 'string'
      ? attribute.split('.').map((p) => (/^\d+$/.test(p) ? Number(p) : p))
      : [attribute];
  return (item) => {
    let v = item;
    for (const p of parts) {
      v = rt.getitem(v, p);
      if (dflt !== undefined && dflt !== null && v instanceof Undefined) v = dflt;
    }
    return v;
  };
}

export function intArg(v: unknown, what: string): number {
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v !== 'number' || !Number.isInteger(v)) throw templateError(`${what} must be an integer`);
  return v;
}
