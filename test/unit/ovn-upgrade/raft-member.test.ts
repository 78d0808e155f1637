import { describe, expect, it } from 'vitest';
import { ovnRaftMemberModule } from '../../../src/modules/ovn/raft-member.js';
import { FakeHost, planContext } from '../ovn/fake-host.js';
import { A1, A2, A3, DOWN, FOLLOWER, LEFT, S1, S2, statusText } from './fixtures.js';

const FILE = '/var/lib/ovn/ovnnb_db.db';
const commands = {
  stop_command: 'systemctl stop ovn-ovsdb-server-nb',
  start_command: 'systemctl start ovn-ovsdb-server-nb',
};

function host(status: { rc?: number; stdout?: string; stderr?: string }, fileAddress: string | null) {
  return new FakeHost('c1', {
    files: fileAddress === null ? {} : { [FILE]: { content: 'raft log', mode: 0o640 } },
    answer: (cmd) => {
      if (cmd.includes('cluster/status')) return status;
      if (cmd.startsWith('ovsdb-tool db-local-address')) return { stdout: `${fileAddress}\n` };
      return undefined;
    },
  });
}

const commandsOf = (steps: { kind: string }[]) =>
  steps.map((s) => ('command' in s ? s.command : `${s.kind} ${'path' in s ? s.path : ''}`));

describe('ovn_raft_member state=left', () => {
  it('leaves a tcp member, naming the members that stay', async () => {
    const plan = await ovnRaftMemberModule.plan(
      { db: 'nb', state: 'left', address: S1 },
      planContext(host({ stdout: FOLLOWER }, A1)),
    );
    expect(plan.failed).toBeUndefined();
    expect(commandsOf(plan.steps)).toEqual([
      'ovn-appctl -t /var/run/ovn/ovnnb_db.ctl --timeout=30 cluster/leave OVN_Northbound',
    ]);
    expect(plan.steps[0]?.why).toBe(`leave the OVN_Northbound cluster as ${A1} (to rejoin as ${S1})`);
    expect(plan.result).toMatchObject({ previous: A1, remaining: [A2, A3] });
  });

  it('plans nothing once left, already on its new address, or down with a rejoined file', async () => {
    const onSsl = statusText({
      address: S1,
      servers: [
        { sid: '94bf', address: S1, self: true },
        { sid: '7f98', address: A2 },
      ],
    });
    for (const h of [host(LEFT, A1), host({ stdout: onSsl }, S1), host(DOWN, S1)]) {
      const plan = await ovnRaftMemberModule.plan({ db: 'nb', state: 'left', address: S1 }, planContext(h));
      expect(plan.failed).toBeUndefined();
      expect(plan.steps).toEqual([]);
    }
  });

  it('refuses a member that is down on its old address, and the only member of a cluster', async () => {
    const down = await ovnRaftMemberModule.plan(
      { db: 'nb', state: 'left', address: S1 },
      planContext(host(DOWN, A1)),
    );
    expect(down.failed).toMatch(/is not running .*: start it and run again/);
    const alone = statusText({ address: A1, servers: [{ sid: '94bf', address: A1, self: true }] });
    const only = await ovnRaftMemberModule.plan(
      { db: 'nb', state: 'left', address: S1 },
      planContext(host({ stdout: alone }, A1)),
    );
    expect(only.failed).toMatch(/is the only member: it cannot leave/);
  });
});

describe('ovn_raft_member state=joined', () => {
  it('after leaving: stops (bounded), replaces the file by one joining as ssl through ssl members first, keeps its mode, starts', async () => {
    const plan = await ovnRaftMemberModule.plan(
      { db: 'nb', state: 'joined', address: S1, remotes: [A3, S2], command_timeout: 45, ...commands },
      planContext(host(LEFT, A1)),
    );
    expect(plan.failed).toBeUndefined();
    expect(commandsOf(plan.steps)).toEqual([
      "timeout -k 5 45 sh -c 'systemctl stop ovn-ovsdb-server-nb'",
      expect.stringMatching(
        /^sh -c 'n=0; while ovn-appctl -t .*\/var\/run\/ovn\/ovnnb_db\.ctl.* --timeout=1 version/,
      ),
      `remove ${FILE}`,
      `ovsdb-tool join-cluster ${FILE} OVN_Northbound ${S1} ${S2} ${A3}`,
      `attributes ${FILE}`,
      "timeout -k 5 45 sh -c 'systemctl start ovn-ovsdb-server-nb'",
    ]);
    expect(plan.steps[4]).toMatchObject({ kind: 'attributes', mode: 0o640 });
    expect(plan.result).toMatchObject({ action: 'join', remotes: [S2, A3] });
  });

  it('never replaces the file of a member the cluster still lists, but shows that plan in check mode', async () => {
    const p = { db: 'nb' as const, state: 'joined' as const, address: S1, remotes: [A2, A3], ...commands };
    const real = await ovnRaftMemberModule.plan(p, planContext(host({ stdout: FOLLOWER }, A1)));
    expect(real.failed).toMatch(
      new RegExp(`still a member as ${A1}: it must leave the cluster before its database file is replaced`),
    );
    expect(real.steps).toEqual([]);
    const check = await ovnRaftMemberModule.plan(p, planContext(host({ stdout: FOLLOWER }, A1), true));
    expect(check.failed).toBeUndefined();
    expect(check.steps.map((s) => s.why)).toContain(
      `would join the OVN_Northbound cluster as ${S1} via ${A2},${A3}`,
    );
  });

  it('proceeds for a member whose own status still says it is leaving (its view of the servers is stale)', async () => {
    const leaving = statusText({
      address: A1,
      status: 'leaving cluster',
      servers: [
        { sid: '94bf', address: A1, self: true },
        { sid: '7f98', address: A2 },
      ],
    });
    const p = { db: 'nb' as const, state: 'joined' as const, address: S1, remotes: [A2], ...commands };
    const plan = await ovnRaftMemberModule.plan(p, planContext(host({ stdout: leaving }, A1)));
    expect(plan.failed).toBeUndefined();
    expect(commandsOf(plan.steps)).toContain(`remove ${FILE}`);
  });

  it('only starts a member whose file already joined, and plans nothing for a member on its new address', async () => {
    const start = await ovnRaftMemberModule.plan(
      { db: 'nb', state: 'joined', address: S1, remotes: [S2], ...commands },
      planContext(host(DOWN, S1)),
    );
    expect(commandsOf(start.steps)).toEqual(["timeout -k 5 120 sh -c 'systemctl start ovn-ovsdb-server-nb'"]);
    const onSsl = statusText({
      address: S1,
      servers: [
        { sid: '94bf', address: S1, self: true },
        { sid: '7f98', address: S2 },
      ],
    });
    const none = await ovnRaftMemberModule.plan(
      { db: 'nb', state: 'joined', address: S1, remotes: [S2], ...commands },
      planContext(host({ stdout: onSsl }, S1)),
    );
    expect(none.steps).toEqual([]);
  });

  it('creates a one-member cluster again from a standalone copy of its data', async () => {
    const alone = statusText({ address: A1, servers: [{ sid: '94bf', address: A1, self: true }] });
    const plan = await ovnRaftMemberModule.plan(
      { db: 'nb', state: 'joined', address: S1, remotes: [], ...commands },
      planContext(host({ stdout: alone }, A1)),
    );
    expect(plan.failed).toBeUndefined();
    const tmp = `${FILE}.ovnctl-standalone`;
    expect(commandsOf(plan.steps).slice(2)).toEqual([
      `remove ${tmp}`,
      `ovsdb-tool cluster-to-standalone ${tmp} ${FILE}`,
      `remove ${FILE}`,
      `ovsdb-tool create-cluster ${FILE} ${tmp} ${S1}`,
      `attributes ${FILE}`,
      `remove ${tmp}`,
      "timeout -k 5 120 sh -c 'systemctl start ovn-ovsdb-server-nb'",
    ]);
  });

  it('refuses missing commands, no remotes, itself among the remotes, and a down member with its old file', async () => {
    const ctx = () => planContext(host(LEFT, A1));
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ remotes: [S2] }, /stop_command and start_command are needed/],
      [{ remotes: [], ...commands }, /remotes is empty/],
      [{ remotes: [S2, A1], ...commands }, /must not contain the member itself \(10\.0\.0\.1:6643\)/],
      [{ remotes: ['pssl:6643'], ...commands }, /remotes: "pssl:6643" is not a raft address/],
    ];
    for (const [extra, message] of cases) {
      const plan = await ovnRaftMemberModule.plan(
        { db: 'nb', state: 'joined', address: S1, ...extra },
        ctx(),
      );
      expect(plan.failed).toMatch(message);
    }
    const down = await ovnRaftMemberModule.plan(
      { db: 'nb', state: 'joined', address: S1, remotes: [S2], ...commands },
      planContext(host(DOWN, A1)),
    );
    expect(down.failed).toMatch(new RegExp(`not running .* still has the address ${A1}`));
  });
});
