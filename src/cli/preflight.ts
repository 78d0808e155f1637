import { OvnctlError } from '../errors.js';
import type { ModuleRegistry } from '../modules/registry.js';
import type { Playbook, Task } from '../playbook/model.js';
import { isTemplate } from '../template/index.js';

function hasTemplate(value: unknown): boolean {
  if (typeof value === 'string') return isTemplate(value);
  if (Array.isArray(value)) return value.some(hasTemplate);
  if (value && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => isTemplate(k) || hasTemplate(v));
  return false;
}

function* walk(tasks: readonly Task[]): Generator<Task> {
  for (const t of tasks) {
    yield t;
    if (t.kind === 'block') {
      yield* walk(t.block);
      yield* walk(t.rescue);
      yield* walk(t.always);
    }
  }
}

/**
 * Checks that need no host: module arguments that hold no template are validated against
 * their schema, and every `notify` names a handler. Runs before any host is contacted.
 */
export function preflight(playbook: Playbook, registry: ModuleRegistry): void {
  for (const play of playbook.plays) {
    const handlerNames = new Set(
      play.handlers.flatMap((h) => [h.name, ...h.listen]).filter((n): n is string => n !== undefined),
    );
    for (const task of [
      ...walk(play.preTasks),
      ...walk(play.tasks),
      ...walk(play.postTasks),
      ...walk(play.handlers),
    ]) {
      if (task.kind !== 'module') continue;
      // Free-form and k=v string arguments are checked at run time, once parsed.
      // A plain mapping only: a `!vault` / `!unsafe` value is an object too, but not arguments.
      const args = task.args;
      const isMapping =
        args !== null &&
        typeof args === 'object' &&
        Object.getPrototypeOf(args) === Object.prototype &&
        !('_raw_params' in args);
      if (isMapping && !hasTemplate(task.args))
        registry.validate(task.module, args, task.location, task.locateArg);
      for (const n of task.notify) {
        if (!handlerNames.has(n) && !isTemplate(n)) {
          throw new OvnctlError('schema', `the handler '${n}' notified by this task was not found`, {
            location: { ...task.location, key: 'notify' },
          });
        }
      }
    }
  }
}
