import { join } from 'node:path';
import { isFile, readYamlDocument } from '../config/files.js';
import { OvnctlError } from '../errors.js';
import type { VarMap } from '../inventory/model.js';
import type { YamlDocument, YamlPath } from '../yaml/load.js';
import { shortModuleName, TASK_KEYWORDS, WITH_LOOKUPS } from './keywords.js';
import type { ModuleTask, RoleRef, Task, TaskCommon } from './model.js';

export interface TaskParseContext {
  doc: YamlDocument;
  dir: string;
  role: RoleRef | undefined;
  resolveModule(name: string): string | undefined;
  includeRole(name: string, tasksFrom: string, path: YamlPath): { tasks: Task[]; handlers: Task[] };
}

const INCLUDE_ROLE = new Set(['include_role', 'import_role']);
const INCLUDE_TASKS = new Set(['include_tasks', 'import_tasks', 'include']);
const META_ACTIONS = new Set(['flush_handlers', 'noop', 'end_play', 'end_host', 'clear_host_errors']);

/** A YAML mapping: a plain object (a `!vault` or `!unsafe` value is an object too, but not a mapping). */
function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function invalid(ctx: TaskParseContext, path: YamlPath, message: string, hint?: string): never {
  throw new OvnctlError('schema', message, { location: ctx.doc.locate(path), ...(hint ? { hint } : {}) });
}

function stringList(ctx: TaskParseContext, path: YamlPath, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map(String);
  return invalid(ctx, path, `${path[path.length - 1]} must be a string or a list`);
}

function tagList(ctx: TaskParseContext, path: YamlPath, v: unknown): string[] {
  return stringList(ctx, path, v).flatMap((t) =>
    t
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean),
  );
}

function boolOrUndefined(ctx: TaskParseContext, path: YamlPath, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  return invalid(ctx, path, `${path[path.length - 1]} must be true or false`);
}

/** `k=v k2="a b"` module arguments written as one string. */
export function parseKeyValueArgs(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /([A-Za-z_][\w]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S+)/g;
  for (const m of text.matchAll(re)) {
    const [, k = '', raw = ''] = m;
    out[k] = /^["']/.test(raw) ? raw.slice(1, -1) : raw;
  }
  return out;
}

const FREE_FORM_OPTIONS = /^(creates|removes|chdir|executable|stdin)=("[^"]*"|'[^']*'|\S+)(\s+|$)/;

/** `creates=/x chdir=/tmp ls -l`: Ansible pulls these options out of a command's free form. */
export function splitFreeForm(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const words: string[] = [];
  let rest = text.trim();
  while (rest) {
    const m = FREE_FORM_OPTIONS.exec(rest);
    if (m) {
      const [all, key = '', value = ''] = m;
      out[key] = /^["']/.test(value) ? value.slice(1, -1) : value;
      rest = rest.slice(all.length);
      continue;
    }
    const word = /^("[^"]*"|'[^']*'|\S+)(\s+|$)/.exec(rest);
    if (!word) break;
    words.push(word[1] ?? '');
    rest = rest.slice(word[0].length);
  }
  // Keep the command text as written apart from the options taken out.
  return { cmd: words.join(' '), ...out };
}

function common(ctx: TaskParseContext, raw: Record<string, unknown>, path: YamlPath): TaskCommon {
  const when =
    raw.when === undefined || raw.when === null ? [] : Array.isArray(raw.when) ? raw.when : [raw.when];
  const vars = raw.vars ?? {};
  if (!isMap(vars)) invalid(ctx, [...path, 'vars'], 'vars must be a mapping');
  const env = raw.environment;
  if (env !== undefined && !isMap(env))
    invalid(ctx, [...path, 'environment'], 'environment must be a mapping');
  return {
    name: raw.name === undefined || raw.name === null ? undefined : String(raw.name),
    when,
    tags: tagList(ctx, [...path, 'tags'], raw.tags),
    vars: vars as VarMap,
    location: ctx.doc.locate(path),
    delegateTo:
      raw.delegate_to === undefined || raw.delegate_to === null ? undefined : String(raw.delegate_to),
    runOnce: boolOrUndefined(ctx, [...path, 'run_once'], raw.run_once) ?? false,
    ignoreErrors: raw.ignore_errors ?? false,
    noLog: boolOrUndefined(ctx, [...path, 'no_log'], raw.no_log) ?? false,
    checkMode: boolOrUndefined(ctx, [...path, 'check_mode'], raw.check_mode),
    become: boolOrUndefined(ctx, [...path, 'become'], raw.become),
    becomeUser: raw.become_user === undefined ? undefined : String(raw.become_user),
    anyErrorsFatal: boolOrUndefined(ctx, [...path, 'any_errors_fatal'], raw.any_errors_fatal),
    environment: env as VarMap | undefined,
    role: ctx.role,
  };
}

function loopFromWith(key: string, value: unknown): unknown {
  switch (key) {
    case 'with_dict':
      return { __with: 'dict', value };
    case 'with_indexed_items':
      return { __with: 'indexed', value };
    case 'with_sequence':
      return { __with: 'sequence', value };
    default:
      return { __with: 'items', value };
  }
}

function parseModuleTask(
  ctx: TaskParseContext,
  raw: Record<string, unknown>,
  path: YamlPath,
  moduleKey: string,
): ModuleTask {
  const module = ctx.resolveModule(moduleKey);
  if (!module) {
    invalid(
      ctx,
      [...path, moduleKey],
      `unknown module or task keyword '${moduleKey}'`,
      'see `ovnctl modules` for the module list',
    );
  }
  let args = raw[moduleKey];
  if (raw.args !== undefined) {
    if (!isMap(raw.args)) invalid(ctx, [...path, 'args'], 'args must be a mapping');
    args =
      typeof args === 'string'
        ? { _raw_params: args, ...raw.args }
        : { ...(isMap(args) ? args : {}), ...raw.args };
  }
  const withKeys = Object.keys(raw).filter((k) => WITH_LOOKUPS.has(k));
  if (withKeys.length > 1 || (withKeys.length === 1 && raw.loop !== undefined)) {
    invalid(ctx, path, 'a task may have only one of loop / with_*');
  }
  const withKey = withKeys[0];
  const loop = withKey ? loopFromWith(withKey, raw[withKey]) : raw.loop;
  const lc = raw.loop_control ?? {};
  if (!isMap(lc)) invalid(ctx, [...path, 'loop_control'], 'loop_control must be a mapping');
  return {
    ...common(ctx, raw, path),
    kind: 'module',
    module,
    args: args ?? {},
    register: raw.register === undefined ? undefined : String(raw.register),
    notify: stringList(ctx, [...path, 'notify'], raw.notify),
    changedWhen: raw.changed_when,
    failedWhen: raw.failed_when,
    loop,
    until: raw.until,
    retries: raw.retries ?? 3,
    delay: raw.delay ?? 5,
    loopVar: typeof lc.loop_var === 'string' ? lc.loop_var : 'item',
    loopLabel: lc.label,
    listen: stringList(ctx, [...path, 'listen'], raw.listen),
    locateArg: (keyPath) => ctx.doc.locate([...path, moduleKey, ...keyPath]),
  };
}

function parseTask(ctx: TaskParseContext, raw: unknown, path: YamlPath): Task[] {
  if (!isMap(raw)) invalid(ctx, path, 'a task must be a mapping');
  if (raw.block !== undefined) {
    const sub = (key: string): Task[] => {
      const v = raw[key];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v)) invalid(ctx, [...path, key], `${key} must be a list of tasks`);
      return parseTaskList(ctx, v, [...path, key]);
    };
    for (const k of Object.keys(raw)) {
      if (!TASK_KEYWORDS.has(k)) invalid(ctx, [...path, k], `'${k}' is not valid on a block`);
    }
    return [
      {
        ...common(ctx, raw, path),
        kind: 'block',
        block: sub('block'),
        rescue: sub('rescue'),
        always: sub('always'),
      },
    ];
  }
  const candidates = Object.keys(raw).filter((k) => !TASK_KEYWORDS.has(k) && !WITH_LOOKUPS.has(k));
  if (candidates.length === 0)
    invalid(ctx, path, 'this task has no module', 'add a module such as `copy:` or `command:`');
  if (candidates.length > 1) {
    const unknown = candidates.filter((c) => !ctx.resolveModule(c) && !INCLUDE_ROLE.has(shortModuleName(c)));
    const at = unknown[0] ?? candidates[1] ?? '';
    invalid(ctx, [...path, at], `a task may have only one module, found: ${candidates.join(', ')}`);
  }
  const key = candidates[0] as string;
  const short = shortModuleName(key);
  if (short === 'meta') {
    const action = String(raw[key]);
    if (!META_ACTIONS.has(action)) invalid(ctx, [...path, key], `unsupported meta action '${action}'`);
    return [{ ...common(ctx, raw, path), kind: 'meta', action: action as 'flush_handlers' }];
  }
  if (INCLUDE_ROLE.has(short)) {
    const spec = raw[key];
    if (!isMap(spec) || typeof spec.name !== 'string')
      invalid(ctx, [...path, key], `${short} needs a role \`name\``);
    const from = typeof spec.tasks_from === 'string' ? spec.tasks_from.replace(/\.ya?ml$/, '') : 'main';
    const loaded = ctx.includeRole(spec.name, from, [...path, key]);
    const block = {
      ...common(ctx, raw, path),
      kind: 'block' as const,
      block: loaded.tasks,
      rescue: [],
      always: [],
    };
    return [block];
  }
  if (INCLUDE_TASKS.has(short)) {
    const spec = raw[key];
    const rel =
      typeof spec === 'string' ? spec : isMap(spec) && typeof spec.file === 'string' ? spec.file : undefined;
    if (!rel) invalid(ctx, [...path, key], `${short} needs a file name`);
    const file = join(ctx.dir, rel);
    if (!isFile(file)) invalid(ctx, [...path, key], `${short}: ${rel} does not exist (looked in ${ctx.dir})`);
    const doc = readYamlDocument(file);
    if (!Array.isArray(doc.value)) {
      throw new OvnctlError('schema', `${file} must be a list of tasks`, { location: doc.locate([]) });
    }
    const inner = parseTaskList({ ...ctx, doc }, doc.value, []);
    return [{ ...common(ctx, raw, path), kind: 'block', block: inner, rescue: [], always: [] }];
  }
  return [parseModuleTask(ctx, raw, path, key)];
}

export function parseTaskList(ctx: TaskParseContext, list: unknown[], path: YamlPath): Task[] {
  return list.flatMap((raw, i) => parseTask(ctx, raw, [...path, i]));
}
