/** Helpers shared by the PKI modules: OSA's variable conventions, reading the controller, building steps. */
import path from 'node:path';
import { OvnctlError } from '../../errors.js';
import { shellQuote } from '../../shell.js';
import type { Facts, PlanContext, Step } from '../types.js';

export type Entry = Record<string, unknown>;

/** Relative PKI paths resolve against the config directory (where user_*.yml live). */
export function resolvePath(p: unknown, ctx: PlanContext, what: string): string {
  if (typeof p !== 'string' || p.trim() === '')
    throw new OvnctlError('invalid-input', `${what} must be a non-empty path`);
  return path.resolve(ctx.configDir, p);
}

/** Ansible's `bool` filter on a value that may be a string from `-e`. */
export function truthy(v: unknown): boolean {
  if (typeof v === 'string') return ['true', 'yes', 'on', '1', 'y'].includes(v.trim().toLowerCase());
  return v === true || v === 1;
}

export function isFalseCondition(v: unknown): boolean {
  if (v === undefined || v === null) return false;
  if (typeof v === 'string') return ['false', 'no', 'off', '0', 'n', ''].includes(v.trim().toLowerCase());
  return v === false || v === 0;
}

/**
 * The explicit list, then every list held by a variable whose name starts with
 * `pattern` (OSA's `pki_authorities_*` convention), without duplicates, and
 * without entries whose `condition` is false.
 */
export function gatherEntries(
  explicit: unknown,
  vars: Readonly<Record<string, unknown>>,
  pattern: unknown,
  what: string,
): Entry[] {
  const lists: [string, unknown][] = [[what, explicit ?? []]];
  if (typeof pattern === 'string' && pattern !== '') {
    for (const name of Object.keys(vars).sort()) if (name.startsWith(pattern)) lists.push([name, vars[name]]);
  }
  const seen = new Set<string>();
  const out: Entry[] = [];
  for (const [source, list] of lists) {
    if (list === null || list === undefined || list === '') continue;
    const items = Array.isArray(list) ? list : [list];
    for (const item of items) {
      if (typeof item !== 'object' || item === null || Array.isArray(item)) {
        throw new OvnctlError(
          'invalid-input',
          `${source}: every entry must be a mapping, got ${Array.isArray(item) ? 'a list' : `a ${typeof item}`}`,
        );
      }
      const key = JSON.stringify(item);
      if (seen.has(key)) continue;
      seen.add(key);
      if (!isFalseCondition((item as Entry).condition)) out.push(item as Entry);
    }
  }
  return out;
}

/** A regen flag: a name, a list of names, or true for all. */
export function regenNames(flag: unknown): { all: boolean; names: Set<string> } {
  if (flag === true || (typeof flag === 'string' && ['true', 'yes'].includes(flag.trim().toLowerCase()))) {
    return { all: true, names: new Set() };
  }
  const list = Array.isArray(flag)
    ? flag
    : typeof flag === 'string' && flag.trim() !== ''
      ? flag.split(',')
      : [];
  return { all: false, names: new Set(list.map((s) => String(s).trim()).filter((s) => s && s !== 'false')) };
}

export function optString(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

/** Octal mode: "0644", "644", "0o644", or YAML 1.1's integer reading of an unquoted 0644 (420). */
export function parseMode(v: unknown, fallback: number, what: string): number {
  if (v === undefined || v === null || v === '') return fallback;
  if (typeof v === 'number') {
    if (Number.isInteger(v) && v >= 0 && v <= 0o777) return v;
    throw new OvnctlError('invalid-input', `${what}: mode ${v} is not a permission (quote it: "0644")`);
  }
  const s = String(v).trim().replace(/^0o/, '');
  if (!/^0?[0-7]{3,4}$/.test(s))
    throw new OvnctlError('invalid-input', `${what}: mode must be octal like "0644", got "${s}"`);
  return Number.parseInt(s, 8);
}

/** File names in a directory of a host (empty when it does not exist). */
export async function listDir(facts: Facts, dir: string): Promise<string[]> {
  const st = await facts.stat(dir);
  if (st?.type !== 'directory') return [];
  const r = await facts.query(`ls -1A -- ${shellQuote(dir)}`);
  if (r.rc !== 0) return [];
  return r.stdout.split('\n').filter(Boolean);
}

/** Collects steps; every `why` is phrased for check mode when the run is one. */
export class StepList {
  readonly steps: Step[] = [];
  private readonly dirs = new Set<string>();
  constructor(private readonly check: boolean) {}

  private why(text: string): string {
    return this.check ? `would ${text}` : text;
  }

  mkdir(p: string, mode: number, why: string): void {
    if (this.dirs.has(p)) return;
    this.dirs.add(p);
    this.steps.push({ kind: 'mkdir', path: p, mode, why: this.why(why) });
  }

  write(
    p: string,
    content: Buffer,
    before: Buffer | null,
    mode: number,
    sensitive: boolean,
    why: string,
    owner?: { owner?: string; group?: string },
  ): void {
    const step: Step = {
      kind: 'write',
      path: p,
      mode,
      content,
      before: sensitive ? null : before,
      sensitive,
      why: this.why(why),
    };
    if (owner?.owner !== undefined) step.owner = owner.owner;
    if (owner?.group !== undefined) step.group = owner.group;
    this.steps.push(step);
  }

  attributes(p: string, why: string, attrs: { mode?: number; owner?: string; group?: string }): void {
    const step: Step = { kind: 'attributes', path: p, why: this.why(why) };
    if (attrs.mode !== undefined) step.mode = attrs.mode;
    if (attrs.owner !== undefined) step.owner = attrs.owner;
    if (attrs.group !== undefined) step.group = attrs.group;
    this.steps.push(step);
  }

  remove(p: string, why: string): void {
    this.steps.push({ kind: 'remove', path: p, why: this.why(why) });
  }

  exec(command: string, why: string, tempPaths?: readonly string[]): void {
    this.steps.push({ kind: 'exec', command, why: this.why(why), ...(tempPaths ? { tempPaths } : {}) });
  }
}

/** Read several files of a host at once. */
export async function readAll(facts: Facts, paths: readonly string[]): Promise<Map<string, Buffer | null>> {
  const unique = [...new Set(paths)];
  const data = await Promise.all(unique.map((p) => facts.read(p)));
  return new Map(unique.map((p, i) => [p, data[i] ?? null]));
}

export function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
