import { OvnctlError } from '../errors.js';
import type { YamlDocument, YamlPath } from '../yaml/load.js';
import type { Group, Host, Inventory, VarMap } from './model.js';

const SECTION_KEYS = new Set(['hosts', 'children', 'vars']);

export function emptyInventory(): Inventory {
  const inv: Inventory = { sources: [], hosts: new Map(), groups: new Map(), order: [] };
  ensureGroup(inv, 'all');
  ensureGroup(inv, 'ungrouped');
  return inv;
}

export function ensureGroup(inv: Inventory, name: string): Group {
  let g = inv.groups.get(name);
  if (!g) {
    g = { name, children: [], hosts: [], vars: [], parents: [] };
    inv.groups.set(name, g);
  }
  return g;
}

export function ensureHost(inv: Inventory, name: string): Host {
  let h = inv.hosts.get(name);
  if (!h) {
    h = { name, vars: [], implicit: false };
    inv.hosts.set(name, h);
    inv.order.push(name);
  }
  return h;
}

/** A YAML mapping: a plain object (a `!vault` or `!unsafe` value is an object too, but not a mapping). */
function isMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

function fail(doc: YamlDocument, path: YamlPath, message: string, hint?: string): never {
  throw new OvnctlError('invalid-input', message, { location: doc.locate(path), ...(hint ? { hint } : {}) });
}

/** Expand Ansible host ranges: `web[01:03]` -> web01, web02, web03; `db[a:c]`. */
export function expandHostRange(name: string): string[] {
  const m = /^(.*)\[([0-9a-z]+):([0-9a-z]+)(?::(\d+))?\](.*)$/.exec(name);
  if (!m) return [name];
  const [, pre = '', from = '', to = '', stepText, post = ''] = m;
  const step = stepText ? Number(stepText) : 1;
  const out: string[] = [];
  if (/^\d+$/.test(from) && /^\d+$/.test(to)) {
    const width = from.length;
    for (let i = Number(from); i <= Number(to); i += step)
      out.push(`${pre}${String(i).padStart(width, '0')}${post}`);
  } else {
    for (let c = from.charCodeAt(0); c <= to.charCodeAt(0); c += step)
      out.push(`${pre}${String.fromCharCode(c)}${post}`);
  }
  return out.flatMap(expandHostRange);
}

function addGroupSection(
  inv: Inventory,
  doc: YamlDocument,
  name: string,
  body: unknown,
  path: YamlPath,
): void {
  const group = ensureGroup(inv, name);
  if (body === null || body === undefined) return;
  if (!isMap(body)) fail(doc, path, `group '${name}' must be a mapping of hosts/children/vars`);
  for (const key of Object.keys(body)) {
    if (!SECTION_KEYS.has(key)) {
      fail(
        doc,
        [...path, key],
        `unexpected key '${key}' in group '${name}'`,
        'a group may only have hosts, children and vars',
      );
    }
  }
  const { hosts, children, vars } = body;
  if (vars !== undefined && vars !== null) {
    if (!isMap(vars)) fail(doc, [...path, 'vars'], `vars of group '${name}' must be a mapping`);
    group.vars.push({
      layer: `inventory group vars (${name})`,
      file: doc.file,
      vars: vars as VarMap,
      locate: (k) => doc.locate([...path, 'vars', k]),
    });
  }
  if (hosts !== undefined && hosts !== null) {
    if (!isMap(hosts))
      fail(doc, [...path, 'hosts'], `hosts of group '${name}' must be a mapping of host names`);
    for (const [pattern, hvars] of Object.entries(hosts)) {
      if (hvars !== null && !isMap(hvars))
        fail(doc, [...path, 'hosts', pattern], `host '${pattern}' must map to variables or be empty`);
      for (const hostName of expandHostRange(pattern)) {
        const host = ensureHost(inv, hostName);
        if (!group.hosts.includes(hostName)) group.hosts.push(hostName);
        if (hvars) {
          host.vars.push({
            layer: 'inventory host vars',
            file: doc.file,
            vars: hvars as VarMap,
            locate: (k) => doc.locate([...path, 'hosts', pattern, k]),
          });
        }
      }
    }
  }
  if (children !== undefined && children !== null) {
    if (!isMap(children))
      fail(doc, [...path, 'children'], `children of group '${name}' must be a mapping of group names`);
    for (const [childName, childBody] of Object.entries(children)) {
      if (childName === 'all')
        fail(
          doc,
          [...path, 'children', childName],
          `group 'all' holds every group; it cannot be a child of '${name}'`,
        );
      const loop = childPath(inv, childName, name);
      if (loop) {
        fail(
          doc,
          [...path, 'children', childName],
          `group '${childName}' cannot be a child of '${name}': the groups would form a cycle (${[name, ...loop].join(' -> ')})`,
        );
      }
      const child = ensureGroup(inv, childName);
      if (!group.children.includes(childName)) group.children.push(childName);
      if (!child.parents.includes(name)) child.parents.push(name);
      addGroupSection(inv, doc, childName, childBody, [...path, 'children', childName]);
    }
  }
}

/** The chain of child links from group `from` down to group `to` (`[from]` when they are the same). */
function childPath(inv: Inventory, from: string, to: string, seen = new Set<string>()): string[] | undefined {
  if (from === to) return [from];
  if (seen.has(from)) return undefined;
  seen.add(from);
  for (const c of inv.groups.get(from)?.children ?? []) {
    const rest = childPath(inv, c, to, seen);
    if (rest) return [from, ...rest];
  }
  return undefined;
}

/** Add an Ansible YAML inventory document to `inv`. */
export function addYamlInventory(inv: Inventory, doc: YamlDocument): void {
  if (doc.value === null || doc.value === undefined) return;
  if (!isMap(doc.value)) fail(doc, [], 'an inventory must be a mapping of group names (usually `all:`)');
  for (const [name, body] of Object.entries(doc.value)) addGroupSection(inv, doc, name, body, [name]);
}

/** After all sources are read: tie top-level groups to `all` and group-less hosts to `ungrouped`. */
export function finishInventory(inv: Inventory): void {
  const all = ensureGroup(inv, 'all');
  for (const g of inv.groups.values()) {
    if (g.name !== 'all' && g.parents.length === 0) {
      g.parents.push('all');
      all.children.push(g.name);
    }
  }
  const grouped = new Set<string>();
  for (const g of inv.groups.values())
    if (g.name !== 'all' && g.name !== 'ungrouped') for (const h of g.hosts) grouped.add(h);
  const ungrouped = ensureGroup(inv, 'ungrouped');
  for (const h of inv.order)
    if (!grouped.has(h) && !inv.hosts.get(h)?.implicit && !ungrouped.hosts.includes(h))
      ungrouped.hosts.push(h);
}

const membershipCache = new WeakMap<Inventory, Map<string, Set<string>>>();

/** Every group's hosts, including those of descendant groups; computed once per finished inventory. */
function membership(inv: Inventory): Map<string, Set<string>> {
  let m = membershipCache.get(inv);
  if (m) return m;
  const built = new Map<string, Set<string>>();
  const walk = (g: string): Set<string> => {
    const known = built.get(g);
    if (known) return known;
    const set = new Set<string>();
    built.set(g, set);
    const group = inv.groups.get(g);
    for (const h of group?.hosts ?? []) set.add(h);
    for (const c of group?.children ?? []) for (const h of walk(c)) set.add(h);
    return set;
  };
  for (const g of inv.groups.keys()) walk(g);
  const all = built.get('all') ?? new Set<string>();
  for (const h of inv.order) if (!inv.hosts.get(h)?.implicit) all.add(h);
  m = built;
  membershipCache.set(inv, m);
  return m;
}

/** Hosts in a group, including those of its descendant groups, in inventory order. */
export function groupHosts(inv: Inventory, name: string): string[] {
  const set = membership(inv).get(name);
  if (!set) return [];
  return inv.order.filter((h) => set.has(h));
}

/** Group names a host belongs to (directly or through parents), `all` excluded, sorted like Ansible. */
export function hostGroupNames(inv: Inventory, host: string): string[] {
  const names: string[] = [];
  for (const [g, set] of membership(inv)) if (g !== 'all' && set.has(host)) names.push(g);
  return names.sort();
}

/** Groups a host is in, ordered from least to most specific (depth first from `all`), for var precedence. */
export function hostGroupChain(inv: Inventory, host: string): string[] {
  const depth = new Map<string, number>();
  const walk = (g: string, d: number): void => {
    if ((depth.get(g) ?? -1) >= d) return;
    depth.set(g, d);
    for (const c of inv.groups.get(g)?.children ?? []) walk(c, d + 1);
  };
  walk('all', 0);
  const member = new Set(['all', ...hostGroupNames(inv, host)]);
  return [...member].sort((a, b) => (depth.get(a) ?? 0) - (depth.get(b) ?? 0) || a.localeCompare(b));
}
