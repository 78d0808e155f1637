/**
 * How Python values are modelled in JavaScript:
 * str -> string, bool -> boolean, None -> null (and undefined), list -> Array,
 * tuple -> Array registered in a WeakSet, dict -> plain object (or Proxy),
 * int -> integral number, float -> non-integral number or PyFloat (a float whose
 * value happens to be integral, so `4 / 2` still prints as `2.0`).
 */

/** A Python float whose value is integral or not finite; plain numbers cover the rest. */
export class PyFloat {
  constructor(readonly value: number) {}
}

/** A Python callable exposed to templates (range, dict, namespace, loop.cycle). */
export class PyFunction {
  constructor(
    readonly name: string,
    readonly call: (args: unknown[], kwargs: Record<string, unknown>) => unknown,
  ) {}
}

/** Jinja's `namespace()`: the one object `{% set ns.x = ... %}` may assign to. */
export class Namespace {
  readonly attrs: Record<string, unknown>;
  constructor(attrs: Record<string, unknown>) {
    this.attrs = attrs;
  }
}

const tuples = new WeakSet<object>();

export function makeTuple<T>(items: T[]): T[] {
  tuples.add(items);
  return items;
}

export function isTuple(v: unknown): boolean {
  return Array.isArray(v) && tuples.has(v);
}

/** A float result: keeps integral values marked so they print as `2.0`. */
export function pyFloat(n: number): number | PyFloat {
  return Number.isInteger(n) ? new PyFloat(n) : n;
}

export function isFloat(v: unknown): v is number | PyFloat {
  return v instanceof PyFloat || (typeof v === 'number' && !Number.isInteger(v));
}

export function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** int, float or bool (bool is an int subclass in Python). */
export function isNumeric(v: unknown): v is number | boolean | PyFloat {
  return typeof v === 'number' || typeof v === 'boolean' || v instanceof PyFloat;
}

export function numValue(v: number | boolean | PyFloat): number {
  if (typeof v === 'number') return v;
  if (typeof v === 'boolean') return v ? 1 : 0;
  return v.value;
}

export function isNone(v: unknown): v is null | undefined {
  return v === null || v === undefined;
}

export type PyDict = Record<string, unknown>;

/** `obj.method` before it is called, e.g. `'a,b'.split` or `d.items`. */
export class BoundMethod {
  constructor(
    readonly self: unknown,
    readonly name: string,
  ) {}
}
