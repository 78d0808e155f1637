import { describe, expect, it } from 'vitest';
import { ovnDbClusterModule, parseClusterStatus } from '../../../src/modules/ovn/cluster.js';
import { FakeHost, planContext } from './fake-host.js';

const status = (addr: string, others: string[]) => `517a
Name: OVN_Southbound
Cluster ID: 3a33 (3a336bb1-0370-48ef-aaca-e3cac63a8b4f)
Server ID: 517a (517a2662-c627-4c87-bd4e-ef3cbe5b81dc)
Address: ${addr}
Status: cluster member
Role: follower
Term: 3
Servers:
    517a (517a at ${addr}) (self) next_index=2 match_index=2
${others.map((o, i) => `    9c0${i} (9c0${i} at ${o}) next_index=2 match_index=2`).join('\n')}
`;

function host(answer: { rc?: number; stdout?: string; stderr?: string }) {
  return new FakeHost('central1', {
    answer: (cmd) => (cmd.includes('cluster/status OVN_Southbound') ? answer : undefined),
  });
}

describe('ovn_db_cluster', () => {
  it('parses address, role and members', () => {
    expect(parseClusterStatus(status('ssl:10.0.0.1:6644', ['ssl:10.0.0.2:6644']))).toEqual({
      clustered: true,
      address: 'ssl:10.0.0.1:6644',
      role: 'follower',
      members: ['ssl:10.0.0.1:6644', 'ssl:10.0.0.2:6644'],
    });
  });

  it('reports a standalone database as not clustered', async () => {
    const plan = await ovnDbClusterModule.plan(
      { db: 'sb' },
      planContext(
        host({
          rc: 2,
          stderr:
            '"cluster/status" is not a valid command (use "list-commands" to see a list of valid commands)',
        }),
      ),
    );
    expect(plan.failed).toBeUndefined();
    expect(plan.result).toMatchObject({ clustered: false });
  });

  it('warns about tcp members, or fails with require_ssl', async () => {
    const h = host({ stdout: status('ssl:10.0.0.1:6644', ['tcp:10.0.0.2:6644']) });
    const warned = await ovnDbClusterModule.plan({ db: 'sb' }, planContext(h));
    expect(warned.warnings?.[0]).toMatch(/without TLS: tcp:10.0.0.2:6644/);
    expect(h.queries[0]).toBe(
      'ovn-appctl -t /var/run/ovn/ovnsb_db.ctl --timeout=30 cluster/status OVN_Southbound',
    );
    const failed = await ovnDbClusterModule.plan({ db: 'sb', require_ssl: true }, planContext(h));
    expect(failed.failed).toMatch(/rejoin each member/);
    const fine = await ovnDbClusterModule.plan(
      { db: 'sb', require_ssl: true },
      planContext(host({ stdout: status('ssl:10.0.0.1:6644', ['ssl:10.0.0.2:6644']) })),
    );
    expect(fine.failed).toBeUndefined();
    expect(fine.warnings).toBeUndefined();
  });

  it('fails when the control socket is unreachable', async () => {
    const plan = await ovnDbClusterModule.plan(
      { db: 'sb' },
      planContext(
        host({
          rc: 1,
          stderr: 'ovn-appctl: cannot connect to "/var/run/ovn/ovnsb_db.ctl" (No such file or directory)',
        }),
      ),
    );
    expect(plan.failed).toMatch(
      /cannot read the raft status of OVN_Southbound through .*No such file or directory/,
    );
  });
});
