import type { SourceLocation } from '../errors.js';
import type { VarMap } from '../inventory/model.js';

/** Keywords shared by tasks and blocks. */
export interface TaskCommon {
  name: string | undefined;
  /** ANDed conditions, innermost last (block conditions come first). */
  when: unknown[];
  tags: string[];
  vars: VarMap;
  location: SourceLocation;
  delegateTo: string | undefined;
  runOnce: boolean;
  ignoreErrors: unknown;
  noLog: boolean;
  /** `check_mode: false` runs the task for real even under --check. */
  checkMode: boolean | undefined;
  become: boolean | undefined;
  becomeUser: string | undefined;
  anyErrorsFatal: boolean | undefined;
  environment: VarMap | undefined;
  /** Role the task came from (for role_path and template lookups). */
  role: RoleRef | undefined;
}

export interface RoleRef {
  name: string;
  path: string;
}

export interface ModuleTask extends TaskCommon {
  kind: 'module';
  /** Resolved short module name (`copy` for `ansible.builtin.copy`). */
  module: string;
  /** Module arguments as written (a string for free-form modules). */
  args: unknown;
  register: string | undefined;
  notify: string[];
  changedWhen: unknown;
  failedWhen: unknown;
  loop: unknown;
  /** `until` condition(s), retried `retries` times `delay` seconds apart (templated numbers allowed). */
  until: unknown;
  retries: unknown;
  delay: unknown;
  loopVar: string;
  loopLabel: unknown;
  /** Handler topics (`listen`); only set for handlers. */
  listen: string[];
  /** Where an argument (a key path under the module) was written. */
  locateArg: (keyPath: readonly (string | number)[]) => SourceLocation;
}

export interface BlockTask extends TaskCommon {
  kind: 'block';
  block: Task[];
  rescue: Task[];
  always: Task[];
}

export interface MetaTask extends TaskCommon {
  kind: 'meta';
  action: 'flush_handlers' | 'noop' | 'end_play' | 'end_host' | 'clear_host_errors';
}

export type Task = ModuleTask | BlockTask | MetaTask;

export interface Play {
  name: string;
  hosts: string;
  gatherFacts: boolean;
  vars: VarMap;
  /** vars_files, resolved to paths (templated at run time). */
  varsFiles: string[];
  /** Role defaults and role vars, in role order. */
  roleDefaults: { file: string; vars: VarMap }[];
  roleVars: { file: string; vars: VarMap }[];
  preTasks: Task[];
  tasks: Task[];
  postTasks: Task[];
  handlers: ModuleTask[];
  serial: (number | string)[];
  anyErrorsFatal: boolean;
  maxFailPercentage: number | undefined;
  become: boolean | undefined;
  becomeUser: string | undefined;
  tags: string[];
  environment: VarMap | undefined;
  location: SourceLocation;
}

export interface Playbook {
  file: string;
  dir: string;
  plays: Play[];
}
