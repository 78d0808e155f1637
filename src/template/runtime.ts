import type { Env } from './context.js';

type Kw = Record<string, unknown>;

/** What filters and tests may call back into: other filters/tests and Jinja's item lookup. */
export interface Runtime {
  readonly env: Env;
  filter(name: string, value: unknown, args: unknown[], kwargs: Kw): unknown;
  test(name: string, value: unknown, args: unknown[], kwargs: Kw): unknown;
  getitem(obj: unknown, key: unknown): unknown;
}

export type FilterFn = (value: unknown, args: unknown[], kwargs: Kw, rt: Runtime) => unknown;
export type TestFn = (value: unknown, args: unknown[], kwargs: Kw, rt: Runtime) => unknown;

/** `ansible.builtin.to_json` and `to_json` are the same plugin. */
export function shortName(name: string): string {
  return name.startsWith('ansible.builtin.') ? name.slice('ansible.builtin.'.length) : name;
}
