import { describe, expect, it } from 'vitest';
import {
  endpoint,
  orderRemotes,
  parseRaftStatus,
  probeMember,
  withProtocol,
} from '../../../src/modules/ovn/raft-status.js';
import { FakeHost, planContext } from '../ovn/fake-host.js';
import { DOWN, LEFT } from './fixtures.js';

// Printed by ovsdb-server 3.1 (Debian 12) for a leader and for a server still joining.
const LEADER = `94bf
Name: OVN_Northbound
Cluster ID: 622e (622e806e-7632-4256-a0b0-ad57bffd0735)
Server ID: 94bf (94bfe156-32c6-4b29-b954-da069406d814)
Address: tcp:127.0.5.201:6643
Status: cluster member
Role: leader
Term: 1
Leader: self
Vote: self

Last Election started 3120 ms ago, reason: timeout
Last Election won: 3120 ms ago
Election timer: 1000
Log: [2, 5]
Entries not yet committed: 0
Entries not yet applied: 0
Connections: <-7f98 <-f965 ->7f98 ->f965
Disconnections: 0
Servers:
    f965 (f965 at ssl:127.0.5.203:6643) next_index=5 match_index=4 last msg 317 ms ago
    7f98 (7f98 at tcp:127.0.5.202:6643) next_index=5 match_index=4 last msg 318 ms ago
    94bf (94bf at tcp:127.0.5.201:6643) (self) next_index=2 match_index=4
`;

const JOINING = `9db6
Name: OVN_Northbound
Cluster ID: not yet known
Server ID: 9db6 (9db631bc-d0c3-47ca-8c6b-80c2f15944eb)
Address: tcp:127.0.5.204:6643
Status: joining cluster
Remotes for joining: tcp:127.0.5.250:6643
Role: follower
Term: 0
Leader: unknown
Vote: unknown

Election timer: 1000
Log: [1, 1]
Entries not yet committed: 0
Entries not yet applied: 0
Connections: (->0000)
Disconnections: 0
Servers:
`;

describe('raft status', () => {
  it('parses a leader: ids, role, counters and every server with its last message', () => {
    const s = parseRaftStatus(LEADER);
    expect(s).toMatchObject({
      clusterId: '622e806e-7632-4256-a0b0-ad57bffd0735',
      serverId: '94bf',
      address: 'tcp:127.0.5.201:6643',
      status: 'cluster member',
      role: 'leader',
      term: 1,
      leader: 'self',
      electionTimerMs: 1000,
      uncommitted: 0,
      unapplied: 0,
    });
    expect(s.servers).toEqual([
      { sid: 'f965', address: 'ssl:127.0.5.203:6643', self: false, lastMsgMs: 317 },
      { sid: '7f98', address: 'tcp:127.0.5.202:6643', self: false, lastMsgMs: 318 },
      { sid: '94bf', address: 'tcp:127.0.5.201:6643', self: true, lastMsgMs: null },
    ]);
  });

  it('parses a joining server: no cluster id, no leader, no servers yet', () => {
    const s = parseRaftStatus(JOINING);
    expect(s).toMatchObject({ clusterId: null, leader: null, status: 'joining cluster', servers: [] });
  });

  it('tells a member, a server that left, one that is down, and a standalone database apart', async () => {
    const answers = [
      { rc: 0, stdout: LEADER, stderr: '' },
      LEFT,
      DOWN,
      { rc: 2, stdout: '', stderr: '"cluster/status" is not a valid command' },
      { rc: 1, stdout: '', stderr: 'something else' },
    ];
    const states: string[] = [];
    for (const a of answers) {
      const host = new FakeHost('c1', { answer: () => a });
      const probe = await probeMember(planContext(host), '/run/x.ctl', 'nb', 5);
      states.push(probe.state);
      expect(host.queries).toEqual(['ovn-appctl -t /run/x.ctl --timeout=5 cluster/status OVN_Northbound']);
    }
    expect(states).toEqual(['member', 'left', 'down', 'standalone', 'error']);
  });

  it('swaps protocols and puts remotes on the target protocol first, without duplicates', () => {
    expect(endpoint('tcp:10.0.0.1:6643')).toBe('10.0.0.1:6643');
    expect(withProtocol('tcp:[fd00::1]:6643', 'ssl')).toBe('ssl:[fd00::1]:6643');
    expect(orderRemotes(['tcp:a:1', 'ssl:b:1', 'tcp:a:1', 'ssl:c:1'], 'ssl')).toEqual([
      'ssl:b:1',
      'ssl:c:1',
      'tcp:a:1',
    ]);
  });
});
