import { type Env, resolveValue } from './context.js';
import { templateError } from './errors.js';
import { globals } from './globals.js';
import { hasKey } from './python/types.js';
import { Undefined } from './undefined.js';

/** Variable scopes of one render: template locals (set/for/with) over the task vars. */
export class Frame {
  private readonly scopes: Map<string, unknown>[] = [new Map()];
  /** Vars are resolved (rendered, copied) once per render, as Jinja resolves each name once. */
  private readonly resolved = new Map<string, unknown>();

  constructor(readonly env: Env) {}

  lookup(name: string): unknown {
    for (let i = this.scopes.length - 1; i >= 0; i--) {
      const scope = this.scopes[i] as Map<string, unknown>;
      if (scope.has(name)) return scope.get(name);
    }
    const vars = this.env.vars;
    if (this.resolved.has(name)) return this.resolved.get(name);
    if (hasKey(vars, name)) {
      const v = resolveValue(vars[name], name, this.env);
      this.resolved.set(name, v);
      return v;
    }
    const g = globals[name];
    if (g !== undefined) return g;
    return new Undefined(name);
  }

  /** Points every name bound to `from` at `to` instead; false when no name was bound to it. */
  rebind(from: object, to: object): boolean {
    let found = false;
    for (const map of [this.resolved, ...this.scopes]) {
      for (const [k, v] of map) {
        if (v === from) {
          map.set(k, to);
          found = true;
        }
      }
    }
    return found;
  }

  set(name: string, value: unknown): void {
    (this.scopes[this.scopes.length - 1] as Map<string, unknown>).set(name, value);
  }

  push(): void {
    this.scopes.push(new Map());
  }

  pop(): void {
    if (this.scopes.length <= 1) throw templateError('internal: scope underflow');
    this.scopes.pop();
  }
}
