import { dirname, join, resolve } from 'node:path';
import { isDir, isFile, readYamlDocument, type VaultDecryptor } from '../config/files.js';
import { OvnctlError } from '../errors.js';
import type { VarMap } from '../inventory/model.js';
import type { YamlDocument, YamlPath } from '../yaml/load.js';
import { PLAY_KEYWORDS } from './keywords.js';
import type { Play, Playbook, RoleRef, Task } from './model.js';
import { parseTaskList, type TaskParseContext } from './tasks.js';

export interface PlaybookLoadOptions {
  /** Is this a module (or free-form module) name? Resolves FQCNs. */
  resolveModule(name: string): string | undefined;
  /** Directories searched for roles after `<playbook dir>/roles`. */
  rolesPath: readonly string[];
  vault?: VaultDecryptor;
}

/** A YAML mapping: a plain object (a `!vault` or `!unsafe` value is an object too, but not a mapping). */
function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function invalid(doc: YamlDocument, path: YamlPath, message: string, hint?: string): never {
  throw new OvnctlError('schema', message, { location: doc.locate(path), ...(hint ? { hint } : {}) });
}

function asStringList(doc: YamlDocument, path: YamlPath, v: unknown): string[] {
  if (v === undefined || v === null) return [];
  if (typeof v === 'string')
    return v
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  if (Array.isArray(v) && v.every((x) => typeof x === 'string' || typeof x === 'number'))
    return v.map(String);
  return invalid(doc, path, `${path[path.length - 1]} must be a string or a list of strings`);
}

function optionalBool(doc: YamlDocument, path: YamlPath, v: unknown): boolean | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v === 'boolean') return v;
  return invalid(doc, path, `${path[path.length - 1]} must be true or false`);
}

function varsMap(doc: YamlDocument, path: YamlPath, v: unknown): VarMap {
  if (v === undefined || v === null) return {};
  if (!isMap(v)) invalid(doc, path, `${path[path.length - 1]} must be a mapping`);
  return v;
}

interface RoleLoad {
  tasks: Task[];
  handlers: Task[];
  defaults: { file: string; vars: VarMap } | undefined;
  vars: { file: string; vars: VarMap } | undefined;
}

/** Role defaults, vars and handlers met while loading one play (from `roles:` and include_role). */
interface RoleCollector {
  defaults: Play['roleDefaults'];
  vars: Play['roleVars'];
  handlers: Task[];
  seen: Set<string>;
}

export class PlaybookLoader {
  private readonly roleCache = new Map<string, RoleLoad>();
  private collector: RoleCollector | undefined;

  constructor(private readonly options: PlaybookLoadOptions) {}

  load(file: string): Playbook {
    const doc = readYamlDocument(file, this.options.vault);
    const dir = dirname(file);
    if (!Array.isArray(doc.value))
      invalid(doc, [], 'a playbook must be a list of plays', 'start the file with `- hosts: ...`');
    const plays = doc.value.flatMap((raw, i) => this.loadEntry(doc, dir, raw, [i], [file]));
    return { file, dir, plays };
  }

  /** A play, or `import_playbook:` whose plays are spliced in place (cycles refused). */
  private loadEntry(doc: YamlDocument, dir: string, raw: unknown, path: YamlPath, chain: string[]): Play[] {
    const key = isMap(raw)
      ? ['import_playbook', 'ansible.builtin.import_playbook'].find((k) => k in raw)
      : undefined;
    if (!key || !isMap(raw)) return [this.loadPlay(doc, dir, raw, path)];
    const target = raw[key];
    if (typeof target !== 'string')
      invalid(doc, [...path, key], 'import_playbook takes a playbook file name');
    const file = resolve(dir, target);
    if (!isFile(file))
      invalid(doc, [...path, key], `import_playbook: ${target} does not exist (looked in ${dir})`);
    if (chain.includes(file))
      invalid(
        doc,
        [...path, key],
        `import_playbook: ${target} imports itself (${[...chain, file].join(' -> ')})`,
      );
    const inner = readYamlDocument(file, this.options.vault);
    if (!Array.isArray(inner.value)) invalid(inner, [], 'a playbook must be a list of plays');
    return inner.value.flatMap((r, i) => this.loadEntry(inner, dirname(file), r, [i], [...chain, file]));
  }

  private findRole(name: string, playbookDir: string): string | undefined {
    for (const base of [join(playbookDir, 'roles'), ...this.options.rolesPath, playbookDir]) {
      const p = resolve(base, name);
      if (isDir(p)) return p;
    }
    return undefined;
  }

  private readRoleVars(path: string, sub: string): { file: string; vars: VarMap } | undefined {
    for (const f of ['main.yml', 'main.yaml', 'main']) {
      const file = join(path, sub, f);
      if (!isFile(file)) continue;
      const doc = readYamlDocument(file, this.options.vault);
      return { file, vars: varsMap(doc, [], doc.value ?? {}) };
    }
    return undefined;
  }

  /** Load `<role>/tasks/<from>.yml` (+ handlers, defaults, vars) once per role and entry point. */
  loadRole(
    name: string,
    tasksFrom: string,
    playbookDir: string,
    where: () => ReturnType<YamlDocument['locate']>,
  ): RoleLoad {
    const path = this.findRole(name, playbookDir);
    if (!path) {
      throw new OvnctlError('invalid-input', `role '${name}' was not found`, {
        location: where(),
        hint: `looked in ${[join(playbookDir, 'roles'), ...this.options.rolesPath].join(', ')}`,
      });
    }
    const key = `${path}#${tasksFrom}`;
    const cached = this.roleCache.get(key);
    if (cached) return this.collect(path, cached);
    const role: RoleRef = { name, path };
    const loadTasks = (sub: string, base: string): Task[] => {
      for (const ext of ['.yml', '.yaml']) {
        const file = join(path, sub, base + ext);
        if (!isFile(file)) continue;
        const doc = readYamlDocument(file, this.options.vault);
        if (doc.value === null || doc.value === undefined) return [];
        if (!Array.isArray(doc.value)) invalid(doc, [], `${file} must be a list of tasks`);
        return parseTaskList(this.taskContext(doc, dirname(file), role), doc.value, []);
      }
      return [];
    };
    const tasks = loadTasks('tasks', tasksFrom);
    if (tasks.length === 0 && !isFile(join(path, 'tasks', `${tasksFrom}.yml`)) && tasksFrom !== 'main') {
      throw new OvnctlError('invalid-input', `role '${name}' has no tasks file '${tasksFrom}'`, {
        location: where(),
      });
    }
    const loaded: RoleLoad = {
      tasks,
      handlers: loadTasks('handlers', 'main'),
      defaults: this.readRoleVars(path, 'defaults'),
      vars: this.readRoleVars(path, 'vars'),
    };
    this.roleCache.set(key, loaded);
    return this.collect(path, loaded);
  }

  /** Ansible exposes a role's defaults, vars and handlers to the whole play, once per role. */
  private collect(path: string, loaded: RoleLoad): RoleLoad {
    const c = this.collector;
    if (c && !c.seen.has(path)) {
      c.seen.add(path);
      if (loaded.defaults) c.defaults.push(loaded.defaults);
      if (loaded.vars) c.vars.push(loaded.vars);
      c.handlers.push(...loaded.handlers);
    }
    return loaded;
  }

  taskContext(doc: YamlDocument, dir: string, role: RoleRef | undefined): TaskParseContext {
    return {
      doc,
      dir,
      role,
      resolveModule: (n) => this.options.resolveModule(n),
      includeRole: (name, from, path) => this.loadRole(name, from, dir, () => doc.locate(path)),
    };
  }

  private loadPlay(doc: YamlDocument, dir: string, raw: unknown, path: YamlPath): Play {
    if (!isMap(raw)) invalid(doc, path, 'each play must be a mapping with at least `hosts`');
    for (const k of Object.keys(raw)) {
      if (!PLAY_KEYWORDS.has(k)) {
        invalid(doc, [...path, k], `'${k}' is not a valid play keyword`, 'tasks belong under `tasks:`');
      }
    }
    if (raw.hosts === undefined || raw.hosts === null) invalid(doc, path, 'a play needs `hosts`');
    const hosts = Array.isArray(raw.hosts) ? raw.hosts.map(String).join(',') : String(raw.hosts);
    const ctx = this.taskContext(doc, dir, undefined);
    const list = (key: string): Task[] => {
      const v = raw[key];
      if (v === undefined || v === null) return [];
      if (!Array.isArray(v)) invalid(doc, [...path, key], `${key} must be a list of tasks`);
      return parseTaskList(ctx, v, [...path, key]);
    };
    const roleTasks: Task[] = [];
    const collector: RoleCollector = { defaults: [], vars: [], handlers: [], seen: new Set() };
    this.collector = collector;
    const roles = raw.roles ?? [];
    if (!Array.isArray(roles)) invalid(doc, [...path, 'roles'], 'roles must be a list');
    roles.forEach((entry, i) => {
      const rpath = [...path, 'roles', i];
      const spec = typeof entry === 'string' ? { role: entry } : entry;
      if (!isMap(spec) || typeof (spec.role ?? spec.name) !== 'string') {
        invalid(doc, rpath, 'a role entry must be a name or a mapping with `role`');
      }
      const name = String(spec.role ?? spec.name);
      const loaded = this.loadRole(name, 'main', dir, () => doc.locate(rpath));
      // Role entries are wrapped in a block so their `when`, `tags` and params apply to every task.
      const { role: _r, name: _n, when, tags, vars, ...params } = spec;
      const block: Record<string, unknown> = { block: [], vars: { ...varsMap(doc, rpath, vars), ...params } };
      if (when !== undefined) block.when = when;
      if (tags !== undefined) block.tags = tags;
      const [wrapper] = parseTaskList(ctx, [block], [...path, 'roles', i]);
      if (wrapper?.kind === 'block') {
        wrapper.block = loaded.tasks;
        roleTasks.push(wrapper);
      }
    });
    const preTasks = list('pre_tasks');
    const tasks = [...roleTasks, ...list('tasks')];
    const postTasks = list('post_tasks');
    const playHandlers = list('handlers');
    this.collector = undefined;
    const handlers = [...collector.handlers, ...playHandlers].flatMap((t) =>
      t.kind === 'module' ? [t] : [],
    );
    const serialRaw = raw.serial;
    const serial =
      serialRaw === undefined || serialRaw === null ? [] : Array.isArray(serialRaw) ? serialRaw : [serialRaw];
    for (const s of serial) {
      if (typeof s !== 'number' && !(typeof s === 'string' && /^\d+%?$/.test(s.trim()))) {
        invalid(doc, [...path, 'serial'], 'serial must be a number, a percentage, or a list of them');
      }
    }
    const mfp = raw.max_fail_percentage;
    if (mfp !== undefined && typeof mfp !== 'number')
      invalid(doc, [...path, 'max_fail_percentage'], 'max_fail_percentage must be a number');
    const varsFiles = raw.vars_files ?? [];
    if (!Array.isArray(varsFiles))
      invalid(doc, [...path, 'vars_files'], 'vars_files must be a list of paths');
    return {
      name: typeof raw.name === 'string' ? raw.name : hosts,
      hosts,
      gatherFacts: optionalBool(doc, [...path, 'gather_facts'], raw.gather_facts) ?? true,
      vars: varsMap(doc, [...path, 'vars'], raw.vars),
      varsFiles: varsFiles.map(String),
      roleDefaults: collector.defaults,
      roleVars: collector.vars,
      preTasks,
      tasks,
      postTasks,
      handlers,
      serial: serial as (number | string)[],
      anyErrorsFatal: optionalBool(doc, [...path, 'any_errors_fatal'], raw.any_errors_fatal) ?? false,
      maxFailPercentage: mfp as number | undefined,
      become: optionalBool(doc, [...path, 'become'], raw.become),
      becomeUser: typeof raw.become_user === 'string' ? raw.become_user : undefined,
      tags: asStringList(doc, [...path, 'tags'], raw.tags),
      environment:
        raw.environment === undefined ? undefined : varsMap(doc, [...path, 'environment'], raw.environment),
      location: doc.locate(path),
    };
  }
}
