import { OvnctlError } from '../errors.js';
import type { VarMap } from '../inventory/model.js';
import type { ModuleRegistry } from '../modules/registry.js';
import type { Plan, PlanContext, Step } from '../modules/types.js';
import type { ModuleTask } from '../playbook/model.js';
import { parseKeyValueArgs, splitFreeForm } from '../playbook/tasks.js';
import type { HostStatus } from '../report/events.js';
import { evaluate, isTruthy, OMIT, renderDeep } from '../template/index.js';
import { UnsafeText } from '../yaml/tags.js';
import { applySteps } from './apply.js';
import { unifiedDiff } from './diff.js';
import { expandLoop, loopLabel } from './loop.js';
import type { RunOptions } from './options.js';
import { type Decrypt, templateOptions } from './template-options.js';
import { factsOf } from './transports.js';

export interface TaskEnv {
  opts: RunOptions;
  registry: ModuleRegistry;
  /** The host's merged variables (with magic vars) under the given block/task scopes. */
  varsFor(host: string, scopes: readonly VarMap[]): Record<string, unknown>;
}

/** What a task (or one loop item of it) produced on a host. */
interface ResultParts {
  msg: string | undefined;
  /** Reasons of the steps applied (or that would be, in check mode). */
  steps: string[];
  diff: string[];
  result: Record<string, unknown>;
  warnings: string[];
  /** Variables set with set_fact. */
  facts: VarMap | undefined;
}

export interface TaskOutcome extends ResultParts {
  status: HostStatus;
  ignored: boolean;
  /** The rendered delegate_to target, when it differs from the host. */
  delegatedTo: string | undefined;
  /** A playbook error (undefined variable, bad arguments): the run stops with the invalid-input code. */
  inputError: OvnctlError | undefined;
}

/** Errors that mean the playbook itself is wrong, not the host. */
export function isInputError(e: unknown): e is OvnctlError {
  return (
    e instanceof OvnctlError && ['undefined-variable', 'template', 'schema', 'invalid-input'].includes(e.code)
  );
}

function dropOmitted(value: unknown): unknown {
  if (Array.isArray(value)) return value.filter((v) => v !== OMIT).map(dropOmitted);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) if (v !== OMIT) out[k] = dropOmitted(v);
    return out;
  }
  return value;
}

/** Conditions ANDed; a bare boolean or string expression each. */
export function conditionsHold(
  conditions: readonly unknown[],
  vars: Record<string, unknown>,
  task: { location: ModuleTask['location'] },
  decrypt: Decrypt = undefined,
): boolean {
  for (const c of conditions) {
    if (typeof c === 'boolean') {
      if (!c) return false;
      continue;
    }
    const value = evaluate(String(c), vars, templateOptions(task.location, decrypt));
    if (!isTruthy(value)) return false;
  }
  return true;
}

function moduleArgs(
  task: ModuleTask,
  freeForm: boolean,
  vars: Record<string, unknown>,
  decryptVault: RunOptions['decryptVault'],
): Record<string, unknown> {
  const opts = templateOptions(task.location, decryptVault);
  let raw: unknown = task.args;
  if (typeof raw === 'string') raw = freeForm ? splitFreeForm(raw) : parseKeyValueArgs(raw);
  if (raw && typeof raw === 'object' && '_raw_params' in raw) {
    const { _raw_params, ...rest } = raw as Record<string, unknown>;
    raw = {
      ...(typeof _raw_params === 'string' ? splitFreeForm(_raw_params) : { cmd: _raw_params }),
      ...rest,
    };
  }
  const rendered = dropOmitted(renderDeep(raw ?? {}, vars, opts));
  if (!rendered || typeof rendered !== 'object' || Array.isArray(rendered)) {
    throw new OvnctlError('schema', `${task.module}: arguments must be a mapping`, {
      location: task.location,
    });
  }
  return rendered as Record<string, unknown>;
}

/** The task's `environment:` (play's, then task's), rendered, for the commands it runs. */
function taskEnvironment(
  task: ModuleTask,
  vars: Record<string, unknown>,
  decrypt: Decrypt,
): Record<string, string> | undefined {
  if (!task.environment) return undefined;
  const rendered = renderDeep(task.environment, vars, templateOptions(task.location, decrypt));
  if (!rendered || typeof rendered !== 'object') return undefined;
  return Object.fromEntries(Object.entries(rendered).map(([k, v]) => [k, String(v)]));
}

function unsafe(text: string): string | UnsafeText {
  return text.includes('{') ? new UnsafeText(text) : text;
}

/** A registered result as plain JSON data (unsafe markers dropped), for reporters. */
export function plainData(value: unknown): unknown {
  if (value instanceof UnsafeText) return value.text;
  if (Array.isArray(value)) return value.map(plainData);
  if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, plainData(v)]));
  }
  return value;
}

function stepReasons(steps: readonly Step[], where: string): string[] {
  return steps.map((s) => (where ? `${where}: ${s.why}` : s.why));
}

function diffsOf(steps: readonly Step[], noLog: boolean): string[] {
  if (noLog) return [];
  const out: string[] = [];
  for (const s of steps) {
    if (s.kind !== 'write') continue;
    if (s.sensitive) {
      out.push(`--- ${s.path}: content hidden (sensitive)`);
      continue;
    }
    const d = unifiedDiff(s.path, s.before?.toString('utf8') ?? '', s.content.toString('utf8'));
    if (d) out.push(d);
  }
  return out;
}

interface ItemResult extends ResultParts {
  delegatedTo?: string;
  changed: boolean;
  failed: boolean;
  skipped: boolean;
}

async function runItem(
  env: TaskEnv,
  task: ModuleTask,
  host: string,
  vars: Record<string, unknown>,
): Promise<ItemResult> {
  const { opts, registry } = env;
  const base: ItemResult = {
    changed: false,
    failed: false,
    skipped: false,
    msg: undefined,
    steps: [],
    diff: [],
    result: {},
    warnings: [],
    facts: undefined,
  };
  if (!conditionsHold(task.when, vars, task, opts.decryptVault))
    return { ...base, skipped: true, result: { skipped: true, skip_reason: 'Conditional result was False' } };
  const def = registry.get(task.module);
  const args = moduleArgs(task, def.freeForm === true, vars, opts.decryptVault);
  registry.validate(task.module, args, task.location, task.locateArg);
  if (task.noLog || def.secretArgs) {
    for (const k of task.noLog ? Object.keys(args) : (def.secretArgs ?? [])) {
      const v = args[k];
      if (typeof v === 'string') opts.secrets.add(v);
    }
  }
  const targetHost = task.delegateTo
    ? String(renderDeep(task.delegateTo, vars, { location: task.location }))
    : host;
  const targetVars = targetHost === host ? vars : env.varsFor(targetHost, []);
  const becomeUser =
    (task.become ?? vars.ansible_become === true)
      ? String(task.becomeUser ?? vars.ansible_become_user ?? 'root')
      : undefined;
  const transport = await opts.transports.get(targetHost, targetVars);
  const check = opts.check && task.checkMode !== false;
  const ctx: PlanContext = {
    host,
    target: factsOf(transport, becomeUser),
    controller: factsOf(opts.transports.controller, undefined),
    vars,
    check,
    now: opts.now,
    configDir: opts.configDir,
    secret: (v) => opts.secrets.add(v),
    ...(opts.decryptVault
      ? { decryptVault: templateOptions(undefined, opts.decryptVault).decryptVault }
      : {}),
  };
  const plan: Plan = await def.plan(args, ctx);
  const warnings = plan.warnings ?? [];
  if (plan.failed !== undefined)
    return {
      ...base,
      failed: true,
      msg: plan.failed,
      warnings,
      result: { ...plan.result, failed: true, msg: plan.failed },
    };
  if (plan.skipped !== undefined)
    return {
      ...base,
      skipped: true,
      msg: plan.skipped,
      warnings,
      result: { ...plan.result, skipped: true, msg: plan.skipped },
    };
  const controllerSteps = plan.controllerSteps ?? [];
  const all = [...controllerSteps, ...plan.steps];
  const result: Record<string, unknown> = { ...plan.result };
  let failure: string | undefined;
  if (!check && all.length > 0) {
    if (controllerSteps.length > 0)
      failure = (await applySteps(opts.transports.controller, controllerSteps, undefined)).failure;
    if (!failure) {
      const outcome = await applySteps(
        transport,
        plan.steps,
        becomeUser,
        taskEnvironment(task, vars, opts.decryptVault),
      );
      failure = outcome.failure;
      if (outcome.exec) {
        const { rc, stdout, stderr } = outcome.exec;
        // Remote output is data, never a template (Ansible marks it unsafe).
        Object.assign(result, {
          rc,
          stdout: unsafe(stdout),
          stderr: unsafe(stderr),
          stdout_lines: stdout
            .split('\n')
            .filter((l, i, a) => l !== '' || i < a.length - 1)
            .map(unsafe),
          stderr_lines: stderr ? stderr.split('\n').map(unsafe) : [],
        });
      }
    }
  }
  const steps = [
    ...stepReasons(controllerSteps, targetHost === 'localhost' ? '' : 'controller'),
    ...stepReasons(plan.steps, ''),
  ];
  const diff = opts.diff ? diffsOf(all, task.noLog) : [];
  return {
    ...(targetHost !== host ? { delegatedTo: targetHost } : {}),
    changed: all.length > 0,
    failed: failure !== undefined,
    skipped: false,
    msg: failure ?? plan.msg,
    steps,
    diff,
    result,
    warnings,
    facts: plan.facts,
  };
}

/** changed_when / failed_when, evaluated with the result registered under its name (as Ansible does). */
function applyOverrides(
  task: ModuleTask,
  item: ItemResult,
  vars: Record<string, unknown>,
  decrypt: Decrypt,
): ItemResult {
  if (item.skipped || (task.changedWhen === undefined && task.failedWhen === undefined)) return item;
  const resultVars = {
    ...vars,
    ...(task.register
      ? { [task.register]: { ...item.result, changed: item.changed, failed: item.failed } }
      : {}),
    ...item.result,
  };
  const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : [v]);
  const out = { ...item };
  if (task.changedWhen !== undefined)
    out.changed = conditionsHold(list(task.changedWhen), resultVars, task, decrypt);
  if (task.failedWhen !== undefined) {
    out.failed = conditionsHold(list(task.failedWhen), resultVars, task, decrypt);
    if (out.failed && !out.msg) out.msg = 'failed_when condition was true';
    if (!out.failed) out.msg = item.failed ? undefined : item.msg;
  }
  return out;
}

function numberOf(
  value: unknown,
  vars: Record<string, unknown>,
  task: ModuleTask,
  decrypt: Decrypt,
  what: string,
): number {
  const v =
    typeof value === 'string' ? renderDeep(value, vars, templateOptions(task.location, decrypt)) : value;
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) {
    throw new OvnctlError('schema', `${what} must be a non-negative number, got '${String(v)}'`, {
      location: task.location,
    });
  }
  return n;
}

/** One item, retried while `until` does not hold (Ansible's until/retries/delay). */
async function runAttempts(
  env: TaskEnv,
  task: ModuleTask,
  host: string,
  vars: Record<string, unknown>,
): Promise<ItemResult> {
  const decrypt = env.opts.decryptVault;
  const first = applyOverrides(task, await runItem(env, task, host, vars), vars, decrypt);
  if (task.until === undefined) return first;
  const retries = numberOf(task.retries, vars, task, decrypt, 'retries');
  const delayMs = numberOf(task.delay, vars, task, decrypt, 'delay') * 1000;
  const conditions = Array.isArray(task.until) ? task.until : [task.until];
  let r = first;
  for (let attempt = 1; ; attempt++) {
    const resultVars = {
      ...vars,
      ...(task.register ? { [task.register]: { ...r.result, changed: r.changed, failed: r.failed } } : {}),
      ...r.result,
    };
    const done = !r.skipped && !r.failed && conditionsHold(conditions, resultVars, task, decrypt);
    if (done || r.skipped || attempt > retries || env.opts.signal?.aborted) {
      r.result.attempts = attempt;
      if (!done && !r.skipped)
        return {
          ...r,
          failed: true,
          msg: r.msg ?? `'until' condition still false after ${attempt} attempts`,
        };
      return r;
    }
    await new Promise((resolve) => setTimeout(resolve, delayMs));
    r = applyOverrides(task, await runItem(env, task, host, vars), vars, decrypt);
  }
}

/** Run one module task on one host, looping if asked. Input errors propagate as TaskOutcome.inputError. */
export async function runModuleTask(
  env: TaskEnv,
  task: ModuleTask,
  host: string,
  scopes: readonly VarMap[],
): Promise<TaskOutcome> {
  const vars = env.varsFor(host, [...scopes, task.vars]);
  const done = (items: ItemResult[], looped: boolean): TaskOutcome => {
    const changed = items.some((i) => i.changed);
    const failed = items.some((i) => i.failed);
    const skipped = items.length === 0 || items.every((i) => i.skipped);
    const first = items.find((i) => i.failed) ?? items[0];
    const result: Record<string, unknown> = looped
      ? {
          changed,
          failed,
          skipped,
          msg: failed ? 'One or more items failed' : 'All items completed',
          results: items.map((i) => ({
            ...i.result,
            changed: i.changed,
            failed: i.failed,
            skipped: i.skipped,
          })),
        }
      : { ...(first?.result ?? {}), changed, failed, skipped };
    const ignoreErrors =
      failed &&
      isTruthy(
        typeof task.ignoreErrors === 'string'
          ? evaluate(task.ignoreErrors, vars, { location: task.location })
          : task.ignoreErrors,
      );
    let facts: VarMap | undefined;
    for (const i of items) if (i.facts) facts = Object.assign(facts ?? {}, i.facts);
    return {
      status: failed ? 'failed' : skipped ? 'skipped' : changed ? 'changed' : 'ok',
      ignored: ignoreErrors,
      msg: looped ? (failed ? first?.msg : undefined) : first?.msg,
      steps: items.flatMap((i) => i.steps),
      diff: items.flatMap((i) => i.diff),
      result,
      warnings: items.flatMap((i) => i.warnings),
      facts,
      delegatedTo: items.find((i) => i.delegatedTo)?.delegatedTo,
      inputError: undefined,
    };
  };
  try {
    if (task.loop === undefined) return done([await runAttempts(env, task, host, vars)], false);
    const items = expandLoop(task.loop, vars, task.location, env.opts.decryptVault);
    const results: ItemResult[] = [];
    for (const [index, item] of items.entries()) {
      const itemVars = {
        ...vars,
        [task.loopVar]: item,
        ansible_loop_var: task.loopVar,
        ansible_loop: {
          index: index + 1,
          index0: index,
          first: index === 0,
          last: index === items.length - 1,
          length: items.length,
        },
      };
      const r = applyOverrides(
        task,
        await runItem(env, task, host, itemVars),
        itemVars,
        env.opts.decryptVault,
      );
      r.result.item = item;
      r.result._label = loopLabel(task, itemVars, item);
      results.push(r);
    }
    return done(results, true);
  } catch (e) {
    if (isInputError(e)) {
      const err = e.location ? e : e.at(task.location);
      return { ...done([], false), status: 'failed', msg: err.message, inputError: err };
    }
    if (e instanceof OvnctlError && e.code === 'unreachable') {
      return { ...done([], false), status: 'unreachable', msg: e.message };
    }
    const msg =
      e instanceof OvnctlError
        ? e.message
        : `unexpected error: ${e instanceof Error ? e.message : String(e)}`;
    return {
      ...done(
        [
          {
            changed: false,
            failed: true,
            skipped: false,
            msg,
            steps: [],
            diff: [],
            result: { failed: true, msg },
            warnings: [],
            facts: undefined,
          },
        ],
        false,
      ),
    };
  }
}
