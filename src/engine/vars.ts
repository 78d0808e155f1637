import { join } from 'node:path';
import { readNamedVars, readVarsFile, type VaultDecryptor } from '../config/files.js';
import { type Layer, type MergedVars, mergeLayers } from '../config/layers.js';
import type { Inventory, VarMap, VarSource } from '../inventory/model.js';
import { hostGroupChain } from '../inventory/parse.js';

const asLayers = (level: string, sources: readonly VarSource[]): Layer[] =>
  sources.map((source) => ({ level, source }));

/**
 * The inventory-side layers of a host, in Ansible's order:
 * inventory group vars < group_vars/all (inventory, then playbook) < group_vars/<g> (inventory,
 * then playbook; child groups beat parents) < inventory host vars < host_vars (inventory, then playbook).
 */
export class InventoryVars {
  private readonly cache = new Map<string, VarSource[]>();
  /** The inventory does not change during a run: each host's layers are worked out once. */
  private readonly hostCache = new Map<string, Layer[]>();

  constructor(
    private readonly inventory: Inventory,
    private readonly playbookDir: string | undefined,
    private readonly vault: VaultDecryptor | undefined,
  ) {}

  private named(dir: string, kind: 'group_vars' | 'host_vars', name: string, label: string): VarSource[] {
    const key = `${dir}\0${kind}\0${name}`;
    let v = this.cache.get(key);
    if (!v) {
      v = readNamedVars(join(dir, kind), name, `${kind}/${name} (${label})`, this.vault);
      this.cache.set(key, v);
    }
    return v;
  }

  private dirs(): { dir: string; label: string }[] {
    const out = this.inventory.sources.map((dir) => ({ dir, label: 'inventory' }));
    if (this.playbookDir && !this.inventory.sources.includes(this.playbookDir))
      out.push({ dir: this.playbookDir, label: 'playbook' });
    return out;
  }

  layers(host: string): Layer[] {
    let layers = this.hostCache.get(host);
    if (!layers) {
      layers = this.build(host);
      this.hostCache.set(host, layers);
    }
    return layers;
  }

  private build(host: string): Layer[] {
    const inv = this.inventory;
    const chain = hostGroupChain(inv, host);
    const layers: Layer[] = [];
    for (const g of chain)
      layers.push(...asLayers('inventory file group vars', inv.groups.get(g)?.vars ?? []));
    const dirs = this.dirs();
    for (const { dir, label } of dirs)
      layers.push(...asLayers(`group_vars/all (${label})`, this.named(dir, 'group_vars', 'all', label)));
    for (const g of chain) {
      if (g === 'all') continue;
      for (const { dir, label } of dirs)
        layers.push(...asLayers(`group_vars/<group> (${label})`, this.named(dir, 'group_vars', g, label)));
    }
    layers.push(...asLayers('inventory file host vars', inv.hosts.get(host)?.vars ?? []));
    for (const { dir, label } of dirs)
      layers.push(...asLayers(`host_vars (${label})`, this.named(dir, 'host_vars', host, label)));
    return layers;
  }
}

/** Per-host state that outlives a play: gathered facts and set_fact/register results. */
export interface HostRuntime {
  facts: VarMap;
  registered: VarMap;
}

export interface PlayVarLayers {
  roleDefaults: Layer[];
  play: Layer[];
  varsFiles: Layer[];
  roleVars: Layer[];
}

/** Everything below the task, merged in precedence order. */
export function hostLayers(
  play: PlayVarLayers,
  inventoryLayers: readonly Layer[],
  runtime: HostRuntime,
  scopes: readonly VarMap[],
  extra: readonly Layer[],
  magic: VarMap,
): MergedVars {
  const layers: Layer[] = [
    ...play.roleDefaults,
    ...inventoryLayers,
    { level: 'facts', source: { layer: 'gathered facts', file: '<facts>', vars: runtime.facts } },
    ...play.play,
    ...play.varsFiles,
    ...play.roleVars,
    ...scopes.map((vars) => ({
      level: 'block/task vars',
      source: { layer: 'block/task vars', file: '<task>', vars },
    })),
    {
      level: 'set_fact/register',
      source: { layer: 'set_fact/register', file: '<runtime>', vars: runtime.registered },
    },
    ...extra,
    { level: 'magic', source: { layer: 'magic variables', file: '<engine>', vars: magic } },
  ];
  // Every task of every host merges these: the winning layer of each name (only `--explain`
  // wants it) is worked out on demand, not on each merge.
  const vars: VarMap = {};
  for (const l of layers) Object.assign(vars, l.source.vars);
  let origin: Map<string, number> | undefined;
  return {
    vars,
    layers,
    get origin() {
      origin ??= mergeLayers(layers).origin;
      return origin;
    },
  };
}

export function loadVarsFiles(files: readonly string[], vault: VaultDecryptor | undefined): Layer[] {
  return files.map((file) => ({
    level: 'play vars_files',
    source: readVarsFile(file, `vars_files ${file}`, vault),
  }));
}
