import { OvnctlError } from '../errors.js';

/**
 * Ansible's undefined value: looking further into it yields another Undefined
 * (so `foo.bar is defined` works), and using it in any other way fails.
 */
export class Undefined {
  readonly name: string;
  /** Replaces the default message, e.g. when a lazily rendered variable failed. */
  readonly hint: string | undefined;

  /** Jinja's plain Undefined (from `a if c` without else): prints as '' and is falsy. */
  readonly lenient: boolean;

  constructor(name: string, hint?: string, lenient = false) {
    this.name = name;
    this.hint = hint;
    this.lenient = lenient;
  }

  get message(): string {
    return this.hint ?? `'${this.name}' is undefined`;
  }

  attr(name: string): Undefined {
    return new Undefined(`${this.name}.${name}`, this.hint);
  }

  item(keyText: string): Undefined {
    return new Undefined(`${this.name}[${keyText}]`, this.hint);
  }

  error(): OvnctlError {
    return new OvnctlError('undefined-variable', this.message, {
      hint: 'define the variable, or give it a fallback with `| default(...)`',
    });
  }

  fail(): never {
    throw this.error();
  }
}

/** Throws when `v` is Undefined: every use of a value other than a lookup or test goes through here. */
export function defined<T>(v: T): Exclude<T, Undefined> {
  if (v instanceof Undefined) v.fail();
  return v as Exclude<T, Undefined>;
}
