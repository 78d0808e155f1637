import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { mergeLayers } from '../../../src/config/layers.js';
import { InventoryVars } from '../../../src/engine/vars.js';
import { OvnctlError } from '../../../src/errors.js';
import { loadInventory } from '../../../src/inventory/load.js';
import { expandHostRange, groupHosts, hostGroupNames } from '../../../src/inventory/parse.js';
import { makeTree } from '../../helpers/tmp.js';

const INVENTORY = `
all:
  vars:
    level: inventory-all
    only_inline_all: yes
  children:
    infra:
      vars:
        level: inventory-infra
      children:
        haproxy_all:
          hosts:
            infra1: {ansible_host: 127.0.0.11, level: inventory-host}
            infra2:
        galera:
          hosts:
            infra[1:3]:
    compute:
      hosts:
        compute01:
`;

let cleanup: (() => void) | undefined;
afterEach(() => cleanup?.());

describe('inventory parsing', () => {
  it('reads groups, children, null hosts and ranges', () => {
    const t = makeTree({ 'inv/hosts.yml': INVENTORY });
    cleanup = t.cleanup;
    const inv = loadInventory([join(t.dir, 'inv/hosts.yml')], t.dir);
    expect(groupHosts(inv, 'all')).toEqual(['infra1', 'infra2', 'infra3', 'compute01']);
    expect(groupHosts(inv, 'infra')).toEqual(['infra1', 'infra2', 'infra3']);
    expect(groupHosts(inv, 'haproxy_all')).toEqual(['infra1', 'infra2']);
    expect(hostGroupNames(inv, 'infra1')).toEqual(['galera', 'haproxy_all', 'infra']);
    expect(groupHosts(inv, 'ungrouped')).toEqual([]);
  });

  it('adds an implicit localhost with a local connection that is not in all', () => {
    const t = makeTree({ 'hosts.yml': INVENTORY });
    cleanup = t.cleanup;
    const inv = loadInventory([join(t.dir, 'hosts.yml')], t.dir);
    expect(inv.hosts.get('localhost')?.implicit).toBe(true);
    expect(groupHosts(inv, 'all')).not.toContain('localhost');
    expect(inv.hosts.get('localhost')?.vars[0]?.vars.ansible_connection).toBe('local');
  });

  it('accepts a comma host list', () => {
    const inv = loadInventory(['h1,h2,'], '/');
    expect(groupHosts(inv, 'ungrouped')).toEqual(['h1', 'h2']);
  });

  it('expands numeric and alphabetic ranges', () => {
    expect(expandHostRange('web[01:03].example')).toEqual([
      'web01.example',
      'web02.example',
      'web03.example',
    ]);
    expect(expandHostRange('db-[a:c]')).toEqual(['db-a', 'db-b', 'db-c']);
  });

  it('rejects a bad inventory with file, line and key', () => {
    const t = makeTree({ 'bad.yml': 'all:\n  children:\n    g1:\n      hostz:\n        h1:\n' });
    cleanup = t.cleanup;
    const err = (() => {
      try {
        loadInventory([join(t.dir, 'bad.yml')], t.dir);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(err).toBeInstanceOf(OvnctlError);
    const e = err as OvnctlError;
    expect(e.message).toContain("unexpected key 'hostz'");
    expect(e.location?.file).toBe(join(t.dir, 'bad.yml'));
    expect(e.location?.line).toBe(4);
    expect(e.location?.key).toBe('all.children.g1.hostz');
  });

  it('detects group cycles', () => {
    const t = makeTree({
      'c.yml':
        'all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n',
    });
    cleanup = t.cleanup;
    expect(() => loadInventory([join(t.dir, 'c.yml')], t.dir)).toThrow(/cycle/);
  });
});

describe('variable precedence', () => {
  it('follows Ansible: inline group vars lose to group_vars/all; child groups beat parents; host vars win', () => {
    const t = makeTree({
      'inv/hosts.yml': INVENTORY,
      'inv/group_vars/all.yml': 'level: group_vars-all\nfrom_all: 1\n',
      'inv/group_vars/infra/main.yml': 'level: group_vars-infra\n',
      'inv/group_vars/haproxy_all.yml': 'level: group_vars-haproxy\nchild_only: haproxy\n',
      'inv/host_vars/infra2.yml': 'level: host_vars-infra2\n',
      'play/group_vars/all.yml': 'from_all: 2\n',
    });
    cleanup = t.cleanup;
    const inv = loadInventory([join(t.dir, 'inv/hosts.yml')], t.dir);
    const iv = new InventoryVars(inv, join(t.dir, 'play'), undefined);
    const vars = (h: string) => mergeLayers(iv.layers(h)).vars;
    // The trap: inline `all: vars:` loses to group_vars/all.yml.
    expect(vars('compute01').level).toBe('group_vars-all');
    expect(vars('compute01').only_inline_all).toBe(true);
    // Playbook group_vars/all beats inventory group_vars/all.
    expect(vars('compute01').from_all).toBe(2);
    // haproxy_all is a child of infra, so it wins over infra.
    expect(vars('infra3').level).toBe('group_vars-infra');
    expect(vars('infra2').level).toBe('host_vars-infra2');
    // Inline host vars beat every group_vars file.
    expect(vars('infra1').level).toBe('inventory-host');
    expect(vars('infra1').child_only).toBe('haproxy');
  });

  it('keeps the unmerged layers so a value can be explained', () => {
    const t = makeTree({ 'inv/hosts.yml': INVENTORY, 'inv/group_vars/all.yml': 'level: group_vars-all\n' });
    cleanup = t.cleanup;
    const inv = loadInventory([join(t.dir, 'inv/hosts.yml')], t.dir);
    const merged = mergeLayers(new InventoryVars(inv, undefined, undefined).layers('infra1'));
    const origin = merged.layers[merged.origin.get('level') ?? -1];
    expect(origin?.level).toBe('inventory file host vars');
    expect(merged.layers.filter((l) => 'level' in l.source.vars).map((l) => l.level)).toEqual([
      'inventory file group vars',
      'inventory file group vars',
      'group_vars/all (inventory)',
      'inventory file host vars',
    ]);
  });
});
