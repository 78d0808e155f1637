import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { jsonOf, ovnctl } from '../helpers/cli.js';
import { makeTree } from '../helpers/tmp.js';

const INVENTORY = `all:
  hosts:
    node1: {ansible_connection: local, port: 1}
    node2: {ansible_connection: local, port: 2}
`;

const PLAYBOOK = `- name: write some files
  hosts: all
  gather_facts: false
  tasks:
    - name: directory
      file: {path: "{{ root }}/{{ inventory_hostname }}", state: directory, mode: "0750"}
    - name: config
      copy:
        dest: "{{ root }}/{{ inventory_hostname }}/app.cfg"
        content: "port={{ port }}\\nname={{ greeting }}\\n"
        mode: "0600"
      notify: touch marker
  handlers:
    - name: touch marker
      copy: {dest: "{{ root }}/{{ inventory_hostname }}/reloaded", content: "yes\\n"}
`;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

function setup(extra: Record<string, string> = {}) {
  const t = makeTree({
    'inventory.yml': INVENTORY,
    'site.yml': PLAYBOOK,
    'user_variables.yml': 'greeting: from-user-file\n',
    ...extra,
  });
  cleanup = t.cleanup;
  const root = join(t.dir, 'target');
  const run = (...args: string[]) =>
    ovnctl(['run', 'site.yml', '-i', 'inventory.yml', '-e', `root=${root}`, ...args], { cwd: t.dir });
  return { dir: t.dir, root, run };
}

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string): void => {
    let entries: string[];
    try {
      entries = readdirSync(d);
    } catch {
      return;
    }
    for (const e of entries) {
      const p = join(d, e);
      const s = statSync(p);
      if (s.isDirectory()) walk(p);
      else out[p] = `${(s.mode & 0o777).toString(8)}:${readFileSync(p, 'utf8')}`;
    }
  };
  walk(dir);
  return out;
}

describe('ovnctl run on the local transport', () => {
  it('converges: the second run reports changed=0', () => {
    const { root, run } = setup();
    const first = run('--output', 'json');
    expect(first.code, first.stderr).toBe(0);
    expect(jsonOf(first).stats.node1).toMatchObject({ changed: 3, failures: 0 });
    expect(readFileSync(join(root, 'node2/app.cfg'), 'utf8')).toBe('port=2\nname=from-user-file\n');
    expect(statSync(join(root, 'node1/app.cfg')).mode & 0o777).toBe(0o600);
    expect(statSync(join(root, 'node1')).mode & 0o777).toBe(0o750);
    const second = run();
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/node1\s+: ok=2\s+changed=0/);
    expect(second.stdout).not.toContain('RUNNING HANDLER');
  });

  it('-e beats user_*.yml', () => {
    const { root, run } = setup();
    expect(run('-e', 'greeting=cli').code).toBe(0);
    expect(readFileSync(join(root, 'node1/app.cfg'), 'utf8')).toContain('name=cli');
  });

  it('--check on a fresh target changes nothing and says what would change', () => {
    const { dir, root, run } = setup();
    const before = snapshot(dir);
    const r = run('--check', '--diff');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('changed: [node1]');
    expect(r.stdout).toContain('+port=1');
    expect(r.stdout).toMatch(/node1\s+: ok=3\s+changed=3/);
    expect(snapshot(dir)).toEqual(before);
    expect(() => statSync(root)).toThrow();
  });

  it('a drifted file is repaired and reported as changed', () => {
    const { root, run } = setup();
    expect(run().code).toBe(0);
    writeFileSync(join(root, 'node1/app.cfg'), 'tampered\n');
    const r = run('--output', 'json');
    // The handler runs (ok) but its file is already right, so only the config changed.
    expect(jsonOf(r).stats.node1).toMatchObject({ ok: 3, changed: 1 });
    expect(jsonOf(r).stats.node2).toMatchObject({ changed: 0 });
    expect(readFileSync(join(root, 'node1/app.cfg'), 'utf8')).toBe('port=1\nname=from-user-file\n');
  });

  it('--limit restricts hosts; a limit matching nothing exits 1', () => {
    const { root, run } = setup();
    expect(run('-l', 'node2').code).toBe(0);
    expect(() => statSync(join(root, 'node1'))).toThrow();
    const none = run('-l', 'nosuchhost');
    expect(none.code).toBe(1);
    expect(none.stderr).toContain('no hosts to target');
  });

  it('--list-hosts, --list-tasks and --syntax-check stop before running', () => {
    const { root, run } = setup();
    expect(run('--list-hosts').stdout).toMatch(/hosts \(2\):\n\s+node1\n\s+node2/);
    expect(run('--list-tasks').stdout).toContain('config');
    expect(run('--syntax-check').code).toBe(0);
    expect(() => statSync(root)).toThrow();
  });
});

describe('owed handlers', () => {
  it('a reload that failed is run again on the next run, though nothing changed', () => {
    const playbook = `- hosts: node1
  gather_facts: false
  tasks:
    - copy: {dest: "{{ root }}.cfg", content: "x\\n"}
      notify: reload
  handlers:
    - name: reload
      command: "{{ reload_cmd }}"
`;
    const { dir, run } = setup({ 'site.yml': playbook });
    const ledger = join(dir, '.ovnctl/handlers/site.json');
    const failed = run('-e', 'reload_cmd=false');
    expect(failed.code).toBe(2);
    expect(JSON.parse(readFileSync(ledger, 'utf8'))).toEqual({ node1: { node1: ['reload'] } });
    const again = run('-e', 'reload_cmd=true');
    expect(again.code, again.stdout).toBe(0);
    expect(again.stdout).toContain('owed from an earlier run');
    expect(again.stdout).toMatch(/RUNNING HANDLER \[reload\][^\n]*\nchanged: \[node1\]/);
    expect(() => statSync(ledger)).toThrow();
    expect(run('-e', 'reload_cmd=true').stdout).not.toContain('RUNNING HANDLER');
  });
});

describe('invalid input: documented exit code, file and line, nothing changed', () => {
  const cases: [string, string, RegExp][] = [
    ['bad YAML', '- hosts: all\n  tasks:\n    - copy: {dest: /x\n', /site\.yml:\d+/],
    [
      'schema violation',
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: x\n      copy: {dest: /x, content: a, colour: red}\n',
      /site\.yml:5:\d+ \(key: copy\.colour\)/,
    ],
    [
      'unknown module',
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: x\n      cpy: {dest: /x}\n',
      /site\.yml:5:7/,
    ],
    [
      'undefined variable',
      '- hosts: all\n  gather_facts: false\n  tasks:\n    - name: x\n      copy: {dest: "{{ root }}/x", content: "{{ nope }}"}\n',
      /site\.yml:4/,
    ],
  ];
  for (const [label, playbook, where] of cases) {
    it(label, () => {
      const { dir, run } = setup({ 'site.yml': playbook });
      const before = snapshot(dir);
      const r = run();
      expect(r.code, r.stdout + r.stderr).toBe(6);
      expect(r.stderr).toMatch(/^ERROR: /);
      expect(r.stderr).toMatch(where);
      expect(r.stderr).not.toContain('    at '); // no stack trace without -vvv
      expect(snapshot(dir)).toEqual(before);
    });
  }

  it('a usage error exits 5', () => {
    const { run } = setup();
    const r = run('--forks', 'zero');
    expect(r.code).toBe(5);
    expect(r.stderr).toContain('--forks');
  });

  it('bad inventory YAML names the inventory file', () => {
    const { run } = setup({ 'inventory.yml': 'all:\n  hosts:\n    a: [\n' });
    const r = run();
    expect(r.code).toBe(6);
    expect(r.stderr).toMatch(/inventory\.yml:\d+/);
  });
});

describe('ovnctl vars', () => {
  it('explains which layer a value comes from', () => {
    const { dir } = setup({
      'group_vars/all.yml': 'greeting: from-group-vars\nrabbit_password: s3cr3t-value\n',
    });
    const r = ovnctl(['vars', 'node1', '-i', 'inventory.yml', '--explain', 'greeting'], { cwd: dir });
    expect(r.code, r.stderr).toBe(0);
    const lines = r.stdout.trim().split('\n');
    expect(lines[1]).toMatch(/group_vars\/all \(inventory\)\s+"from-group-vars"/);
    expect(lines[2]).toMatch(/^\s+\* extra vars \(user files\)\s+"from-user-file"/);
    const all = ovnctl(['vars', 'node1', '-i', 'inventory.yml'], { cwd: dir });
    expect(all.stdout).toContain("rabbit_password: '********'");
    expect(all.stdout).not.toContain('s3cr3t-value');
  });
});
