import { OvnctlError } from '../errors.js';
import type { Inventory } from './model.js';
import { groupHosts } from './parse.js';

/**
 * Ansible host patterns: `a,b` or `a:b` union, `&g` intersection, `!g` exclusion,
 * globs (`web*`), `~regex`, `group[0]`, `group[1:3]`, `group[-1]`.
 */
export function matchPattern(inv: Inventory, pattern: string | readonly string[]): string[] {
  const parts = (Array.isArray(pattern) ? pattern : splitPattern(String(pattern)))
    .map((p) => p.trim())
    .filter(Boolean);
  let selected: string[] = [];
  const intersections: string[][] = [];
  const exclusions: string[][] = [];
  for (const part of parts) {
    if (part.startsWith('!')) exclusions.push(matchOne(inv, part.slice(1)));
    else if (part.startsWith('&')) intersections.push(matchOne(inv, part.slice(1)));
    else {
      const seen = new Set(selected);
      for (const h of matchOne(inv, part)) if (!seen.has(h)) selected.push(h);
    }
  }
  for (const only of intersections) {
    const keep = new Set(only);
    selected = selected.filter((h) => keep.has(h));
  }
  for (const drop of exclusions) {
    const remove = new Set(drop);
    selected = selected.filter((h) => !remove.has(h));
  }
  return selected;
}

/** Split on commas, or else on colons outside `[...]` (a bare IPv6 address stays whole). */
export function splitPattern(pattern: string): string[] {
  if (pattern.includes(',')) return pattern.split(',');
  if (/^[0-9a-fA-F:]+$/.test(pattern) && (pattern.match(/:/g)?.length ?? 0) > 1) return [pattern];
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of pattern) {
    if (ch === '[') depth++;
    if (ch === ']') depth--;
    if (ch === ':' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts;
}

function globToRegExp(glob: string): RegExp {
  const escaped = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

function applySubscript(hosts: string[], subscript: string, part: string): string[] {
  const slice = /^(-?\d*):(-?\d*)$/.exec(subscript);
  if (slice) {
    const from = slice[1] ? Number(slice[1]) : 0;
    const to = slice[2] ? Number(slice[2]) : hosts.length - 1;
    // Ansible's slices include the end index.
    return hosts.slice(from < 0 ? hosts.length + from : from, (to < 0 ? hosts.length + to : to) + 1);
  }
  if (/^-?\d+$/.test(subscript)) {
    const i = Number(subscript);
    const h = hosts[i < 0 ? hosts.length + i : i];
    return h === undefined ? [] : [h];
  }
  throw new OvnctlError('usage', `invalid subscript in host pattern '${part}'`, {
    hint: 'use group[0] or group[1:3]',
  });
}

function matchOne(inv: Inventory, part: string): string[] {
  if (part.startsWith('~')) {
    let re: RegExp;
    try {
      re = new RegExp(part.slice(1));
    } catch {
      throw new OvnctlError('usage', `invalid regular expression in host pattern '${part}'`);
    }
    return matchNames(inv, (n) => re.test(n));
  }
  const sub = /^(.*)\[([-\d:]+)\]$/.exec(part);
  if (sub && sub[1] !== undefined && sub[2] !== undefined)
    return applySubscript(matchOne(inv, sub[1]), sub[2], part);
  if (part === 'all' || part === '*') return groupHosts(inv, 'all');
  if (inv.groups.has(part)) return groupHosts(inv, part);
  if (inv.hosts.has(part)) return [part];
  if (/[*?]/.test(part)) {
    const re = globToRegExp(part);
    return matchNames(inv, (n) => re.test(n));
  }
  return [];
}

/** Hosts whose name matches, plus hosts of groups whose name matches. */
function matchNames(inv: Inventory, test: (name: string) => boolean): string[] {
  const out = new Set<string>();
  for (const g of inv.groups.keys()) if (test(g)) for (const h of groupHosts(inv, g)) out.add(h);
  for (const h of inv.order) if (test(h)) out.add(h);
  return inv.order.filter((h) => out.has(h));
}
