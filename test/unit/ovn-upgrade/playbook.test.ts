/** ovn-tls-upgrade.yml and its role: they load, call the modules with arguments their schemas know, and are documented. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { defaultRegistry } from '../../../src/modules/index.js';
import { PlaybookLoader } from '../../../src/playbook/load.js';
import type { Task } from '../../../src/playbook/model.js';
import { parseYaml } from '../../../src/yaml/load.js';

const root = path.resolve(import.meta.dirname, '../../..');
const role = path.join(root, 'playbooks/roles/ovn_raft_upgrade');
const read = (p: string) => parseYaml(readFileSync(p, 'utf8'), p).value;
const schema = (name: string) =>
  JSON.parse(readFileSync(path.join(root, 'schemas/modules', `${name}.json`), 'utf8')) as {
    properties: Record<string, unknown>;
  };

/** Module tasks of a task list, blocks and rescues included. */
function moduleTasks(list: unknown): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  for (const t of (list as Record<string, unknown>[]) ?? []) {
    for (const k of ['block', 'rescue', 'always']) if (Array.isArray(t[k])) out.push(...moduleTasks(t[k]));
    if (!t.block) out.push(t);
  }
  return out;
}

describe('ovn-tls-upgrade.yml', () => {
  it('loads: certificates first, one member at a time, listeners only after the guard', () => {
    const registry = defaultRegistry();
    const pb = new PlaybookLoader({
      resolveModule: (n) => registry.resolve(n),
      rolesPath: [path.join(root, 'playbooks/roles')],
    }).load(path.join(root, 'playbooks/ovn-tls-upgrade.yml'));
    expect(pb.plays.map((p) => p.name)).toEqual([
      'OVN certificate authority and chassis names',
      'OVN raft members before the upgrade (status, plan, backups, TLS files)',
      'OVN raft members to ssl, one at a time',
      'OVN central nodes over TLS (listeners, ovn-northd)',
      'OVN chassis over TLS',
      'Verify OVN over TLS',
    ]);
    expect(pb.plays.map((p) => p.serial)).toEqual([[], [], [1], [], [], []]);
    const listeners = pb.plays[3];
    const first = (tasks: readonly Task[]): Task | undefined =>
      tasks[0]?.kind === 'block' ? first(tasks[0].block) : tasks[0];
    expect(first(listeners?.preTasks ?? [])?.name).toBe('Every Northbound member is healthy and on ssl');
    expect(listeners?.anyErrorsFatal).toBe(true);
  });

  it("role tasks use only their modules' arguments", () => {
    const names = new Set(defaultRegistry().names());
    let calls = 0;
    for (const file of ['preflight.yml', 'convert.yml', 'member.yml', 'guard.yml']) {
      for (const task of moduleTasks(read(path.join(role, 'tasks', file)))) {
        const key = Object.keys(task).find((k) => k.startsWith('ovnctl.'));
        if (!key) continue;
        const mod = key.slice('ovnctl.'.length);
        expect(names.has(mod), `${file}: ${mod}`).toBe(true);
        const known = Object.keys(schema(mod).properties);
        expect(
          Object.keys(task[key] as object).filter((a) => !known.includes(a)),
          `${file}: ${String(task.name)}`,
        ).toEqual([]);
        calls++;
      }
    }
    expect(calls).toBe(17);
  });

  it.each(['ovn_raft_health', 'ovn_raft_plan', 'ovn_raft_backup', 'ovn_raft_member', 'ovn_db_ssl'])(
    '%s schema compiles in strict mode and closes its argument set',
    (name) => {
      const s = schema(name) as Record<string, unknown>;
      expect(s.additionalProperties).toBe(false);
      const validate = new Ajv({ strict: true, strictTypes: false }).compile(s);
      expect(validate({ db: 'nb', unknown_argument: 1 })).toBe(false);
    },
  );

  it('user_variables.example.yml documents every default of the role', () => {
    const doc = readFileSync(path.join(root, 'user_variables.example.yml'), 'utf8');
    const defaults = Object.keys(read(path.join(role, 'defaults/main.yml')) as object);
    expect(defaults.length).toBeGreaterThan(8);
    expect(defaults.filter((k) => !doc.includes(`# ${k}:`))).toEqual([]);
  });
});
