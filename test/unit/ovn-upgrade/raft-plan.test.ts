import { describe, expect, it } from 'vitest';
import { ovnRaftPlanModule, type ProbeInput, planCluster } from '../../../src/modules/ovn/raft-plan.js';
import { FakeHost, planContext } from '../ovn/fake-host.js';
import { A1, A2, A3, S1, S2, S3 } from './fixtures.js';

const HOSTS = ['c1', 'c2', 'c3'];
const CID = '622e806e-7632-4256-a0b0-ad57bffd0735';

function probe(host: string, address: string, listed: string[], extra: Partial<ProbeInput> = {}): ProbeInput {
  return { item: host, member: host, state: 'member', cluster_id: CID, address, addresses: listed, ...extra };
}

const tcpCluster = () => [
  probe('c1', A1, [A1, A2, A3]),
  probe('c2', A2, [A1, A2, A3]),
  probe('c3', A3, [A1, A2, A3]),
];

describe('ovn_raft_plan', () => {
  it('converts every tcp member in host order, each joining through the members before it first', () => {
    const plan = planCluster({ db: 'nb', hosts: HOSTS, probes: tcpCluster() });
    expect(plan).toMatchObject({
      clustered: true,
      pending: true,
      order: HOSTS,
      actions: { c1: 'convert', c2: 'convert', c3: 'convert' },
      targets: { c1: S1, c2: S2, c3: S3 },
      joinVia: { c1: [A2, A3], c2: [S1, A3], c3: [S1, S2] },
    });
    expect(plan.lines[0]).toBe('OVN_Northbound: 3 member(s), 3 to move to ssl, one at a time:');
    expect(plan.lines[2]).toBe(
      `  c2: ${A2} -> ${S2}: leave, wait until the others no longer list it, stop, remove the database file, join via ${S1},${A3}, start, wait until it has caught up`,
    );
  });

  it('leaves converted members alone and plans nothing once all are on ssl', () => {
    const half = planCluster({
      db: 'sb',
      hosts: HOSTS,
      probes: [probe('c1', S1, [S1, A2, A3]), probe('c2', A2, [S1, A2, A3]), probe('c3', A3, [S1, A2, A3])],
    });
    expect(half.actions).toEqual({ c1: 'none', c2: 'convert', c3: 'convert' });
    expect(half.joinVia.c2).toEqual([S1, A3]);
    const done = planCluster({
      db: 'sb',
      hosts: HOSTS,
      probes: [probe('c1', S1, [S1, S2, S3]), probe('c2', S2, [S1, S2, S3]), probe('c3', S3, [S1, S2, S3])],
    });
    expect(done.pending).toBe(false);
    expect(done.lines).toEqual(['OVN_Southbound: all 3 member(s) use ssl: nothing to do']);
  });

  it('rejoins a member that already left, at the address its database file holds', () => {
    const plan = planCluster({
      db: 'nb',
      hosts: HOSTS,
      probes: [
        probe('c1', S1, [S1, A3]),
        { member: 'c2', state: 'left', detail: 'unknown cluster', file_address: A2 },
        probe('c3', A3, [S1, A3]),
      ],
    });
    expect(plan.actions).toEqual({ c1: 'none', c2: 'rejoin', c3: 'convert' });
    expect(plan.targets.c2).toBe(S2);
    expect(plan.lines[1]).toContain(
      `c2: (left) ${A2} -> ${S2}: stop, remove the database file, join via ${S1},${A3}`,
    );
  });

  it('creates a one-member cluster again instead of leaving it', () => {
    const plan = planCluster({ db: 'nb', hosts: ['c1'], probes: [probe('c1', A1, [A1])] });
    expect(plan.actions).toEqual({ c1: 'recreate' });
    expect(plan.lines[1]).toContain('create the cluster again from it');
  });

  it('reports a standalone database as nothing to do', () => {
    const probes = HOSTS.map((h) => ({ member: h, state: 'standalone', detail: 'not a valid command' }));
    expect(planCluster({ db: 'nb', hosts: HOSTS, probes })).toMatchObject({
      clustered: false,
      pending: false,
    });
  });

  it('refuses a member that is down, a member outside the group, and mixed clusters', () => {
    const down = tcpCluster();
    down[2] = { member: 'c3', state: 'down', detail: 'cannot connect' };
    expect(() => planCluster({ db: 'nb', hosts: HOSTS, probes: down })).toThrow(
      /c3: ovsdb-server does not answer \(cannot connect\)\. ovnctl converts a running, healthy cluster only/,
    );
    const stranger = tcpCluster();
    stranger[0] = probe('c1', A1, [A1, A2, A3, 'tcp:10.0.0.9:6643']);
    expect(() => planCluster({ db: 'nb', hosts: HOSTS, probes: stranger })).toThrow(
      /lists tcp:10\.0\.0\.9:6643, which is no host of the central group/,
    );
    const mixed = tcpCluster();
    mixed[1] = probe('c2', A2, [A1, A2, A3], { cluster_id: 'other' });
    expect(() => planCluster({ db: 'nb', hosts: HOSTS, probes: mixed })).toThrow(/different clusters/);
    expect(() => planCluster({ db: 'nb', hosts: HOSTS, probes: tcpCluster().slice(0, 2) })).toThrow(
      /no status from c3/,
    );
  });

  it('as a module: registers the plan and prints it, changing nothing', async () => {
    const plan = await ovnRaftPlanModule.plan(
      { db: 'nb', hosts: HOSTS, probes: tcpCluster() },
      planContext(new FakeHost('c1', {})),
    );
    expect(plan.steps).toEqual([]);
    expect(plan.msg).toMatch(/^OVN_Northbound: 3 member\(s\), 3 to move to ssl/);
    expect(plan.result).toMatchObject({ pending: true, size: 3, join_via: { c3: [S1, S2] } });
    const failed = await ovnRaftPlanModule.plan(
      { db: 'nb', hosts: [], probes: [] },
      planContext(new FakeHost('c1', {})),
    );
    expect(failed.failed).toMatch(/no central hosts/);
  });
});
