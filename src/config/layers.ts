import type { SourceLocation } from '../errors.js';
import type { VarMap, VarSource } from '../inventory/model.js';

/**
 * Ansible's variable precedence as an ordered list of named layers (lowest first).
 * Merging replaces top-level keys (hash_behaviour=replace); the unmerged layers are
 * kept so `ovnctl vars --explain` can say where a value came from.
 */
export interface Layer {
  /** Precedence level, e.g. `role defaults`, `group_vars/all (inventory)`, `extra vars`. */
  level: string;
  source: VarSource;
}

export interface MergedVars {
  vars: VarMap;
  /** For each variable, the index in `layers` of the layer whose value won. */
  origin: Map<string, number>;
  layers: readonly Layer[];
}

export function mergeLayers(layers: readonly Layer[]): MergedVars {
  const vars: VarMap = {};
  const origin = new Map<string, number>();
  layers.forEach((layer, i) => {
    for (const [k, v] of Object.entries(layer.source.vars)) {
      vars[k] = v;
      origin.set(k, i);
    }
  });
  return { vars, origin, layers };
}

export interface Explanation {
  name: string;
  /** Every layer that defines the variable, lowest first; the last one wins. */
  definitions: { level: string; layer: string; file: string; location?: SourceLocation; value: unknown }[];
}

export function explain(merged: MergedVars, name: string): Explanation {
  const definitions: Explanation['definitions'] = [];
  for (const { level, source } of merged.layers) {
    if (!Object.hasOwn(source.vars, name)) continue;
    const d: Explanation['definitions'][number] = {
      level,
      layer: source.layer,
      file: source.file,
      value: source.vars[name],
    };
    const loc = source.locate?.(name);
    if (loc) d.location = loc;
    definitions.push(d);
  }
  return { name, definitions };
}

/** Wrap a plain map as a layer. */
export function layer(level: string, vars: VarMap, file = '<internal>'): Layer {
  return { level, source: { layer: level, file, vars } };
}
