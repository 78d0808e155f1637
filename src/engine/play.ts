import { resolve } from 'node:path';
import { layer } from '../config/layers.js';
import { OvnctlError } from '../errors.js';
import type { VarMap } from '../inventory/model.js';
import { matchPattern } from '../inventory/patterns.js';
import type { ModuleTask, Play, Task } from '../playbook/model.js';
import { OMIT, renderDeep } from '../template/index.js';
import { serialBatches } from './batches.js';
import { gatherFacts } from './gather.js';
import { mapLimit } from './pool.js';
import type { RunContext } from './run-context.js';
import { selectedByTags } from './tags.js';
import { plainData, runModuleTask, type TaskEnv, type TaskOutcome } from './task-runner.js';
import { hostLayers, loadVarsFiles, type PlayVarLayers } from './vars.js';

/** Runs one play: batches, tasks in lockstep across hosts (Ansible's linear strategy), blocks, handlers. */
export class PlayRunner {
  private layers: PlayVarLayers;
  private readonly notified = new Map<string, Set<string>>();
  /** Notifications that did not end in a successful handler run, per host. */
  private readonly owed = new Map<string, Set<string>>();
  /** Owed notifications from the ledger, released at the play's last flush. */
  private readonly renotify = new Map<string, Set<string>>();
  private batch: string[] = [];
  private playHosts: string[] = [];
  private readonly env: TaskEnv;

  constructor(
    private readonly run: RunContext,
    private readonly play: Play,
    private readonly index: number,
  ) {
    this.layers = {
      roleDefaults: play.roleDefaults.map((d) => layer('role defaults', d.vars, d.file)),
      play: [layer('play vars', play.vars)],
      varsFiles: [],
      roleVars: play.roleVars.map((d) => layer('role vars', d.vars, d.file)),
    };
    this.env = { opts: run.opts, registry: run.registry, varsFor: (h, scopes) => this.varsFor(h, scopes) };
  }

  magic(host: string, scopes: readonly VarMap[]): VarMap {
    const run = this.run;
    const short = host.split('.')[0] ?? host;
    const role = [...scopes].reverse().find((s) => typeof s.role_path === 'string');
    return {
      inventory_hostname: host,
      inventory_hostname_short: short,
      group_names: Object.entries(run.groups)
        .filter(([g, hs]) => g !== 'all' && hs.includes(host))
        .map(([g]) => g)
        .sort(),
      groups: run.groups,
      hostvars: this.hostvarsProxy(),
      ansible_play_hosts: this.playHosts.filter((h) => !run.failed.has(h)),
      ansible_play_hosts_all: this.playHosts,
      ansible_play_batch: this.batch,
      play_hosts: this.batch,
      ansible_check_mode: run.opts.check,
      ansible_diff_mode: run.opts.diff,
      ansible_verbosity: run.opts.verbosity,
      ansible_run_tags: run.opts.tags.length ? run.opts.tags : ['all'],
      ansible_skip_tags: run.opts.skipTags,
      playbook_dir: run.opts.playbook.dir,
      ovnctl_config_dir: run.opts.configDir,
      omit: OMIT,
      ...(role ? { role_path: role.role_path } : {}),
    };
  }

  varsFor(host: string, scopes: readonly VarMap[]): Record<string, unknown> {
    const run = this.run;
    return hostLayers(
      this.layers,
      run.invVars.layers(host),
      run.hostRuntime(host),
      scopes,
      run.extraLayers(),
      this.magic(host, scopes),
    ).vars;
  }

  private hostvarsProxy(): Record<string, unknown> {
    const inventory = this.run.opts.inventory;
    const cache = new Map<string, Record<string, unknown>>();
    return new Proxy({} as Record<string, unknown>, {
      get: (_t, prop) => {
        if (typeof prop !== 'string' || !inventory.hosts.has(prop)) return undefined;
        let v = cache.get(prop);
        if (!v) {
          const vars = this.varsFor(prop, []);
          const { hostvars: _h, groups: _g, ...rest } = vars;
          // Values of another host render in that host's own variables.
          v = new Proxy(rest, {
            get: (t, k) => (typeof k === 'string' && k in t ? renderDeep(t[k], vars) : undefined),
          });
          cache.set(prop, v);
        }
        return v;
      },
      has: (_t, prop) => typeof prop === 'string' && inventory.hosts.has(prop),
      ownKeys: () => [...inventory.hosts.keys()],
      getOwnPropertyDescriptor: (_t, prop) =>
        typeof prop === 'string' && inventory.hosts.has(prop)
          ? { enumerable: true, configurable: true }
          : undefined,
    });
  }

  private active(hosts: readonly string[]): string[] {
    return hosts.filter((h) => !this.run.failed.has(h) && !this.run.unreachable.has(h));
  }

  async runPlay(): Promise<void> {
    const run = this.run;
    const started = Date.now();
    const extraVars = Object.assign({}, ...run.extraLayers().map((l) => l.source.vars)) as VarMap;
    const pattern = String(
      renderDeep(this.play.hosts, { ...this.play.vars, ...extraVars }, { location: this.play.location }),
    );
    let hosts = matchPattern(run.opts.inventory, pattern);
    if (run.opts.limit) hosts = hosts.filter((h) => run.opts.limit?.has(h));
    this.playHosts = this.active(hosts);
    for (const h of this.playHosts) run.hostStats(h);
    this.notifyOwed();
    run.emit({ kind: 'play-start', play: this.index, name: this.play.name, hosts: this.playHosts });
    if (this.playHosts.length === 0) {
      run.emit({ kind: 'warning', msg: `play '${this.play.name}': no hosts matched '${pattern}'` });
    }
    if (this.play.varsFiles.length > 0 && this.playHosts[0]) {
      const first = this.varsFor(this.playHosts[0], []);
      const files = this.play.varsFiles.map((f) =>
        resolve(run.opts.playbook.dir, String(renderDeep(f, first, { location: this.play.location }))),
      );
      const decrypt = run.opts.decryptVault;
      this.layers = {
        ...this.layers,
        varsFiles: loadVarsFiles(
          files,
          decrypt ? { decrypt: (t) => decrypt(t), secret: (v) => run.opts.secrets.add(v) } : undefined,
        ),
      };
    }
    for (const batch of serialBatches(this.playHosts, this.play.serial)) {
      this.batch = batch;
      if (this.play.gatherFacts) await this.gather(batch);
      const scopes: VarMap[] = [];
      const tags = this.play.tags;
      for (const list of [this.play.preTasks, this.play.tasks, this.play.postTasks]) {
        await this.runTasks(list, batch, scopes, tags, []);
        if (run.aborted) break;
        if (list === this.play.postTasks) this.releaseOwed(batch);
        await this.flushHandlers(batch);
      }
      if (run.aborted) break;
      const failedInBatch = batch.filter((h) => run.failed.has(h) || run.unreachable.has(h));
      // As in Ansible: when every host of a batch failed, the whole run stops here.
      if (failedInBatch.length === batch.length && batch.length > 0) {
        run.aborted = true;
        break;
      }
    }
    this.settleOwed();
    run.emit({ kind: 'play-end', play: this.index, durationMs: Date.now() - started });
  }

  private async gather(batch: string[]): Promise<void> {
    const run = this.run;
    const todo = this.active(batch).filter((h) => !run.gathered.has(h));
    if (todo.length === 0) return;
    const taskId = run.nextTaskId();
    run.emit({
      kind: 'task-start',
      play: this.index,
      task: taskId,
      name: 'Gathering Facts',
      path: '',
      handler: false,
    });
    await mapLimit(todo, run.opts.forks, async (host) => {
      const started = Date.now();
      try {
        const transport = await run.opts.transports.get(host, this.varsFor(host, []));
        Object.assign(run.hostRuntime(host).facts, await gatherFacts(transport));
        run.gathered.add(host);
        run.record({
          kind: 'host-result',
          play: this.index,
          task: taskId,
          host,
          status: 'ok',
          durationMs: Date.now() - started,
        });
      } catch (e) {
        const msg = e instanceof Error ? e.message : String(e);
        const unreachable = e instanceof OvnctlError && e.code === 'unreachable';
        (unreachable ? run.unreachable : run.failed).add(host);
        run.record({
          kind: 'host-result',
          play: this.index,
          task: taskId,
          host,
          status: unreachable ? 'unreachable' : 'failed',
          msg,
          durationMs: Date.now() - started,
        });
      }
    });
  }

  private async runTasks(
    tasks: readonly Task[],
    hosts: readonly string[],
    scopes: VarMap[],
    tags: string[],
    when: unknown[],
  ): Promise<void> {
    const run = this.run;
    for (const task of tasks) {
      if (run.opts.signal?.aborted) run.interrupt();
      if (run.aborted) return;
      const active = this.active(hosts);
      if (active.length === 0) return;
      const taskScopes = task.role
        ? [...scopes, { role_path: task.role.path, role_name: task.role.name }]
        : scopes;
      if (task.kind === 'meta') {
        if (task.action === 'flush_handlers') await this.flushHandlers(active);
        continue;
      }
      if (task.kind === 'block') {
        await this.runBlock(
          task,
          active,
          [...taskScopes, task.vars],
          [...tags, ...task.tags],
          [...when, ...task.when],
        );
        continue;
      }
      const effectiveTags = [...tags, ...task.tags];
      if (!selectedByTags(effectiveTags, run.opts.tags, run.opts.skipTags)) continue;
      // Play-level become applies to every task that does not say otherwise.
      const become = task.become ?? this.play.become;
      const becomeUser = task.becomeUser ?? this.play.becomeUser;
      const environment =
        this.play.environment || task.environment
          ? { ...this.play.environment, ...task.environment }
          : undefined;
      await this.runTask(
        { ...task, when: [...when, ...task.when], become, becomeUser, environment },
        active,
        taskScopes,
        false,
      );
    }
  }

  private async runBlock(
    block: Extract<Task, { kind: 'block' }>,
    hosts: string[],
    scopes: VarMap[],
    tags: string[],
    when: unknown[],
  ): Promise<void> {
    const run = this.run;
    const before = new Set(run.failed);
    await this.runTasks(block.block, hosts, scopes, tags, when);
    const failedHere = hosts.filter((h) => run.failed.has(h) && !before.has(h));
    if (block.rescue.length > 0 && failedHere.length > 0) {
      for (const h of failedHere) run.failed.delete(h);
      await this.runTasks(block.rescue, failedHere, scopes, tags, when);
      for (const h of failedHere) {
        if (run.failed.has(h)) continue;
        // A rescued failure is not a failure in the recap (Ansible counts it as rescued).
        const stats = run.hostStats(h);
        stats.rescued++;
        stats.failures = Math.max(0, stats.failures - 1);
      }
    }
    if (block.always.length > 0) {
      const stillFailed = hosts.filter((h) => run.failed.has(h) && !before.has(h));
      for (const h of stillFailed) run.failed.delete(h);
      await this.runTasks(block.always, hosts, scopes, tags, when);
      for (const h of stillFailed) run.failed.add(h);
    }
  }

  private async runTask(
    task: ModuleTask,
    hosts: string[],
    scopes: VarMap[],
    handler: boolean,
  ): Promise<void> {
    const run = this.run;
    const taskId = run.nextTaskId();
    const loc = task.location;
    run.emit({
      kind: 'task-start',
      play: this.index,
      task: taskId,
      name: task.name ?? task.module,
      path: loc.line ? `${loc.file}:${loc.line}` : loc.file,
      handler,
    });
    const targets = task.runOnce ? hosts.slice(0, 1) : hosts;
    const outcomes = await mapLimit(targets, run.opts.forks, async (host) => {
      const started = Date.now();
      const outcome = await runModuleTask(this.env, task, host, scopes);
      return { host, outcome, ms: Date.now() - started };
    });
    const first = outcomes[0];
    const all = task.runOnce && first ? hosts.map((host) => ({ ...first, host })) : outcomes;
    for (const { host, outcome, ms } of all) this.settle(task, taskId, host, outcome, ms);
    const failedNow = all.filter((o) => o.outcome.status === 'failed' && !o.outcome.ignored);
    if (failedNow.length > 0 && (task.anyErrorsFatal ?? this.play.anyErrorsFatal)) {
      for (const h of this.batch) run.failed.add(h);
    }
    const pct = this.play.maxFailPercentage;
    if (pct !== undefined && this.batch.length > 0) {
      const failedCount = this.batch.filter((h) => run.failed.has(h) || run.unreachable.has(h)).length;
      if ((failedCount * 100) / this.batch.length > pct) for (const h of this.batch) run.failed.add(h);
    }
  }

  private settle(task: ModuleTask, taskId: number, host: string, outcome: TaskOutcome, ms: number): void {
    const run = this.run;
    const redacted = run.opts.secrets.redactDeep(
      task.noLog
        ? { censored: 'the output has been hidden due to the no_log: true setting' }
        : plainData(outcome.result),
    ) as Record<string, unknown>;
    run.record({
      kind: 'host-result',
      play: this.index,
      task: taskId,
      host,
      ...(outcome.delegatedTo ? { delegatedTo: outcome.delegatedTo } : {}),
      status: outcome.status,
      ...(outcome.ignored ? { ignored: true } : {}),
      ...(outcome.msg !== undefined
        ? { msg: run.opts.secrets.redact(task.noLog && outcome.status !== 'failed' ? '' : outcome.msg) }
        : {}),
      ...(outcome.steps.length ? { steps: outcome.steps.map((s) => run.opts.secrets.redact(s)) } : {}),
      ...(outcome.diff.length ? { diff: outcome.diff.map((d) => run.opts.secrets.redact(d)) } : {}),
      result: redacted,
      ...(outcome.warnings.length ? { warnings: outcome.warnings } : {}),
      durationMs: ms,
    });
    if (outcome.inputError) {
      run.inputError ??= outcome.inputError;
      run.aborted = true;
    }
    if (outcome.status === 'unreachable') run.unreachable.add(host);
    else if (outcome.status === 'failed' && !outcome.ignored) run.failed.add(host);
    if (task.register) run.setRegistered(host, { [task.register]: outcome.result });
    if (outcome.facts) run.setRegistered(host, outcome.facts);
    if (outcome.status === 'changed') {
      let set = this.notified.get(host);
      if (!set) {
        set = new Set();
        this.notified.set(host, set);
      }
      for (const n of task.notify) set.add(n);
    }
  }

  private addOwed(host: string, names: Iterable<string>): void {
    let set = this.owed.get(host);
    if (!set) {
      set = new Set();
      this.owed.set(host, set);
    }
    for (const n of names) set.add(n);
  }

  /** Notify again what an earlier run of this play left owed (a reload that never succeeded). */
  private notifyOwed(): void {
    const ledger = this.run.opts.handlerLedger;
    if (!ledger) return;
    for (const host of this.playHosts) {
      const names = ledger.owed(this.play.name, host);
      if (names.length === 0) continue;
      this.addOwed(host, names);
      this.renotify.set(host, new Set(names));
      this.run.emit({
        kind: 'warning',
        host,
        msg: `handler(s) ${names.join(', ')} owed from an earlier run: notified again`,
      });
    }
  }

  /**
   * Owed handlers run with the play's last flush, after every task: a handler that restarts a
   * service needs the files the play's tasks put in place first.
   */
  private releaseOwed(batch: readonly string[]): void {
    for (const host of batch) {
      const names = this.renotify.get(host);
      if (!names) continue;
      this.renotify.delete(host);
      let set = this.notified.get(host);
      if (!set) {
        set = new Set();
        this.notified.set(host, set);
      }
      for (const n of names) set.add(n);
    }
  }

  /** Whatever is still notified or failed is owed to the next run; check mode records nothing. */
  private settleOwed(): void {
    const ledger = this.run.opts.handlerLedger;
    if (!ledger || this.run.opts.check) return;
    for (const [h, names] of this.notified) this.addOwed(h, names);
    for (const host of this.playHosts) ledger.settle(this.play.name, host, [...(this.owed.get(host) ?? [])]);
  }

  private async flushHandlers(hosts: readonly string[]): Promise<void> {
    // Handlers may notify other handlers; run until nothing new is notified.
    for (let round = 0; round < 10 && this.notified.size > 0; round++) {
      const flushing = new Set(this.active(hosts));
      const pending = new Map([...this.notified].filter(([h]) => flushing.has(h)));
      for (const h of pending.keys()) this.notified.delete(h);
      for (const handler of this.play.handlers) {
        const names = [handler.name, ...handler.listen].filter((n): n is string => n !== undefined);
        const targets = this.active(hosts).filter((h) => names.some((n) => pending.get(h)?.has(n)));
        if (targets.length > 0) await this.runTask(handler, targets, [], true);
        for (const h of targets) {
          const asked = names.filter((n) => pending.get(h)?.has(n));
          if (this.run.failed.has(h) || this.run.unreachable.has(h)) this.addOwed(h, asked);
          else for (const n of asked) this.owed.get(h)?.delete(n);
        }
        if (this.run.aborted) return;
      }
    }
  }
}
