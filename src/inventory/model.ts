import type { SourceLocation } from '../errors.js';

export type VarMap = Record<string, unknown>;

/** A variable layer loaded from one file (or one inventory section), kept unmerged for --explain. */
export interface VarSource {
  /** Layer name as shown by `ovnctl vars --explain` (e.g. `group_vars/all`, `inventory host vars`). */
  layer: string;
  file: string;
  vars: VarMap;
  locate?: (key: string) => SourceLocation;
}

export interface Group {
  name: string;
  /** Direct child group names. */
  children: string[];
  /** Direct host names, in file order. */
  hosts: string[];
  /** Inline `vars:` of this group in the inventory file(s). */
  vars: VarSource[];
  parents: string[];
}

export interface Host {
  name: string;
  /** Inline host vars in the inventory file(s). */
  vars: VarSource[];
  /** Whether the host was declared in an inventory (implicit localhost is not). */
  implicit: boolean;
}

export interface Inventory {
  /** Files and directories the inventory was read from (group_vars/host_vars are looked up beside them). */
  sources: string[];
  hosts: Map<string, Host>;
  groups: Map<string, Group>;
  /** Every declared host in file order (what `all` expands to). */
  order: string[];
}
