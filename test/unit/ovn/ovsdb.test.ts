import { describe, expect, it } from 'vitest';
import {
  ctlCommand,
  mapAssignment,
  optional,
  parseJsonTables,
  stringMap,
} from '../../../src/modules/ovn/ovsdb.js';
import { hostPart, parseTarget } from '../../../src/modules/ovn/targets.js';

describe('ovsdb json output', () => {
  it('decodes atoms, sets, maps and uuids of several tables', () => {
    const out = [
      '{"data":[["/k",["set",[]],["map",[["a","1"],["b","x y"]]],["uuid","5c1e"]]],"headings":["key","probe","ids","_uuid"]}',
      '{"data":[],"headings":["target"]}',
      '',
    ].join('\n');
    const [first, second] = parseJsonTables(out, 2, 'test');
    expect(first).toEqual([{ key: '/k', probe: [], ids: { a: '1', b: 'x y' }, _uuid: '5c1e' }]);
    expect(second).toEqual([]);
    expect(optional(first?.[0]?.probe)).toBeNull();
    expect(optional(60000)).toBe(60000);
    expect(stringMap(first?.[0]?.ids)).toEqual({ a: '1', b: 'x y' });
  });

  it('refuses output with the wrong number of tables', () => {
    expect(() => parseJsonTables('{"data":[],"headings":[]}', 2, 'ovn-sbctl output')).toThrow(
      /expected 2 JSON table/,
    );
    expect(() => parseJsonTables('{"data": nope', 1, 'x')).toThrow(/not JSON/);
  });

  it('builds one transaction, quoting words for the shell and values for OVSDB', () => {
    const cmd = ctlCommand(
      { program: 'ovs-vsctl', db: 'unix:/run/o v/db.sock', timeout: 7 },
      [
        [
          'set',
          'Open_vSwitch',
          '.',
          mapAssignment('external_ids', 'ovn-remote', 'ssl:10.0.0.1:6642,ssl:10.0.0.2:6642'),
        ],
      ],
      { write: true },
    );
    expect(cmd).toBe(
      `ovs-vsctl '--db=unix:/run/o v/db.sock' --timeout=7 --no-wait -- set Open_vSwitch . 'external_ids:"ovn-remote"="ssl:10.0.0.1:6642,ssl:10.0.0.2:6642"'`,
    );
    const sb = ctlCommand({ program: 'ovn-sbctl', db: 'unix:/x', timeout: 3 }, [['list', 'SSL']], {
      json: true,
    });
    expect(sb).toBe('ovn-sbctl --db=unix:/x --timeout=3 --no-leader-only --format=json -- list SSL');
  });
});

describe('OVS connection strings', () => {
  it('accepts listeners and active connections', () => {
    for (const t of [
      'pssl:6642',
      'pssl:6642:10.0.0.1',
      'pssl:6641:[fd00::1]',
      'ssl:ovn1.example:6642',
      'ssl:[::1]:6642',
      'punix:/run/ovn/x.sock',
    ]) {
      const parsed = parseTarget(t);
      expect(typeof parsed, t).toBe('object');
    }
    const plain = parseTarget('ptcp:6642');
    expect(typeof plain === 'object' && plain.plaintext).toBe(true);
  });

  it('names what is wrong', () => {
    expect(parseTarget('pssl:66420')).toMatch(/not a port/);
    expect(parseTarget('pssl:6642:ovn1')).toMatch(/binds to an IP address/);
    expect(parseTarget('https://x')).toMatch(/not an OVS connection/);
    expect(parseTarget('punix:relative.sock')).toMatch(/absolute path/);
    expect(parseTarget('ssl:10.0.0.1')).toMatch(/expected ssl:HOST:PORT/);
  });

  it('brackets IPv6 hosts', () => {
    expect(hostPart('fd00::1')).toBe('[fd00::1]');
    expect(hostPart('10.0.0.1')).toBe('10.0.0.1');
  });
});
