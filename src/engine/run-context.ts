import type { Layer } from '../config/layers.js';
import type { OvnctlError } from '../errors.js';
import type { VarMap } from '../inventory/model.js';
import type { ModuleRegistry } from '../modules/registry.js';
import { emptyStats, type HostResultEvent, type HostStats, type RunEvent } from '../report/events.js';
import type { RunOptions } from './options.js';
import { type HostRuntime, InventoryVars } from './vars.js';

/** State shared by every play of one run. */
export class RunContext {
  readonly stats = new Map<string, HostStats>();
  readonly runtime = new Map<string, HostRuntime>();
  /** Hosts out of the run: failed (not rescued) or unreachable. */
  readonly failed = new Set<string>();
  readonly unreachable = new Set<string>();
  readonly gathered = new Set<string>();
  readonly invVars: InventoryVars;
  readonly groups: Record<string, string[]>;
  inputError: OvnctlError | undefined;
  aborted = false;
  interrupted = false;
  private taskCounter = 0;

  constructor(
    readonly opts: RunOptions,
    readonly registry: ModuleRegistry,
    private readonly emitEvent: (e: RunEvent) => void,
    groups: Record<string, string[]>,
  ) {
    const decrypt = opts.decryptVault;
    this.invVars = new InventoryVars(
      opts.inventory,
      opts.playbook.dir,
      decrypt ? { decrypt: (text) => decrypt(text), secret: (v) => opts.secrets.add(v) } : undefined,
    );
    this.groups = groups;
  }

  interrupt(): void {
    this.interrupted = true;
    this.aborted = true;
  }

  nextTaskId(): number {
    return this.taskCounter++;
  }

  hostRuntime(host: string): HostRuntime {
    let r = this.runtime.get(host);
    if (!r) {
      r = { facts: {}, registered: {} };
      this.runtime.set(host, r);
    }
    return r;
  }

  hostStats(host: string): HostStats {
    let s = this.stats.get(host);
    if (!s) {
      s = emptyStats();
      this.stats.set(host, s);
    }
    return s;
  }

  emit(e: RunEvent): void {
    this.emitEvent(e);
  }

  /** Count a host result into the recap the way Ansible does (changed also counts as ok). */
  record(e: HostResultEvent, rescued = false): void {
    const s = this.hostStats(e.host);
    switch (e.status) {
      case 'ok':
        s.ok++;
        break;
      case 'changed':
        s.ok++;
        s.changed++;
        break;
      case 'skipped':
        s.skipped++;
        break;
      case 'unreachable':
        s.unreachable++;
        break;
      case 'failed':
        if (e.ignored) s.ignored++;
        else if (!rescued) s.failures++;
        break;
    }
    this.emit(e);
  }

  extraLayers(): Layer[] {
    return this.opts.extraVars;
  }

  setRegistered(host: string, vars: VarMap): void {
    Object.assign(this.hostRuntime(host).registered, vars);
  }
}
