/** Task keywords (everything else on a task is its module). */
export const TASK_KEYWORDS = new Set([
  'name',
  'when',
  'tags',
  'vars',
  'delegate_to',
  'run_once',
  'ignore_errors',
  'no_log',
  'check_mode',
  'become',
  'become_user',
  'become_method',
  'any_errors_fatal',
  'environment',
  'register',
  'notify',
  'changed_when',
  'failed_when',
  'loop',
  'loop_control',
  'listen',
  'args',
  'block',
  'rescue',
  'always',
  'delegate_facts',
  'diff',
  'throttle',
  'timeout',
  'retries',
  'delay',
  'until',
]);

/** `with_items` and friends map to `loop` with a transform. */
export const WITH_LOOKUPS = new Set([
  'with_items',
  'with_list',
  'with_dict',
  'with_indexed_items',
  'with_sequence',
]);

export const PLAY_KEYWORDS = new Set([
  'name',
  'hosts',
  'gather_facts',
  'vars',
  'vars_files',
  'roles',
  'pre_tasks',
  'tasks',
  'post_tasks',
  'handlers',
  'serial',
  'any_errors_fatal',
  'max_fail_percentage',
  'become',
  'become_user',
  'become_method',
  'tags',
  'environment',
  'connection',
  'strategy',
  'order',
  'user',
  'remote_user',
]);

/** FQCN prefixes that resolve to the same short module names. */
export const MODULE_PREFIXES = ['ansible.builtin.', 'ansible.legacy.', 'ovnctl.'];

export function shortModuleName(name: string): string {
  for (const p of MODULE_PREFIXES) if (name.startsWith(p)) return name.slice(p.length);
  return name;
}
