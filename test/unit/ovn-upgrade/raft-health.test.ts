import { describe, expect, it } from 'vitest';
import { healthProblems, ovnRaftHealthModule } from '../../../src/modules/ovn/raft-health.js';
import { parseRaftStatus, type RaftProbe } from '../../../src/modules/ovn/raft-status.js';
import { FakeHost, planContext } from '../ovn/fake-host.js';
import { A1, A2, A3, DOWN, FOLLOWER, S1, statusText } from './fixtures.js';

const member = (text: string): RaftProbe => ({ state: 'member', status: parseRaftStatus(text) });

const leader = (lastMsgs: [number | undefined, number | undefined]) =>
  statusText({
    address: A1,
    role: 'leader',
    leader: 'self',
    servers: [
      { sid: '94bf', address: A1, self: true },
      { sid: '7f98', address: A2, ...(lastMsgs[0] !== undefined ? { lastMsgMs: lastMsgs[0] } : {}) },
      { sid: 'f965', address: A3, ...(lastMsgs[1] !== undefined ? { lastMsgMs: lastMsgs[1] } : {}) },
    ],
  });

describe('raft health', () => {
  it('accepts a follower that knows its leader and has applied everything', () => {
    expect(healthProblems(member(FOLLOWER), { healthy: true, members: 3 })).toEqual([]);
  });

  it('names every problem: no leader, unapplied entries, a status other than member, a wrong count', () => {
    const text = statusText({
      address: A1,
      status: 'disconnected from the cluster (election timeout)',
      leader: 'unknown',
      unapplied: 2,
      servers: [
        { sid: '94bf', address: A1, self: true },
        { sid: '7f98', address: A2 },
      ],
    });
    expect(healthProblems(member(text), { healthy: true, members: 3 })).toEqual([
      'status is "disconnected from the cluster (election timeout)"',
      'no leader is known',
      '2 entries not yet applied',
      `2 members listed (${A1}, ${A2}), expected 3`,
    ]);
  });

  it('on a leader, counts a member it has not heard from recently as disconnected', () => {
    expect(healthProblems(member(leader([20, 30])), { healthy: true })).toEqual([]);
    expect(healthProblems(member(leader([20, 9000])), { healthy: true })).toEqual([
      `the leader last heard from ${A3} 9000 ms ago`,
    ]);
    expect(healthProblems(member(leader([20, undefined])), { healthy: true })).toEqual([
      `the leader has not heard from ${A3}`,
    ]);
    expect(healthProblems(member(leader([20, 9000])), { healthy: true, staleMs: 10_000 })).toEqual([]);
  });

  it('checks addresses listed, gone, its own, and the protocol of every member', () => {
    const p = member(FOLLOWER);
    expect(healthProblems(p, { healthy: false, present: [A2], absent: ['tcp:10.0.0.9:6643'] })).toEqual([]);
    expect(healthProblems(p, { healthy: false, present: [S1], absent: [A3], address: S1 })).toEqual([
      `${S1} is not listed`,
      `${A3} is still listed`,
      `its address is ${A1}, expected ${S1}`,
    ]);
    expect(healthProblems(p, { healthy: false, protocol: 'ssl' })).toEqual([
      `not on ssl: ${A1}, ${A2}, ${A3}`,
    ]);
  });

  it('only reports a member that is down when nothing is expected, and fails it otherwise', () => {
    const down: RaftProbe = { state: 'down', detail: 'cannot connect' };
    expect(healthProblems(down, { healthy: false })).toEqual([]);
    expect(healthProblems(down, { healthy: true })[0]).toMatch(/does not answer/);
  });

  it('waits, bounded, until the member is healthy', async () => {
    let calls = 0;
    const host = new FakeHost('c1', {
      answer: () => {
        calls++;
        return calls < 3
          ? { rc: 0, stdout: statusText({ address: A1, leader: 'unknown', servers: [] }) }
          : { stdout: FOLLOWER };
      },
    });
    const plan = await ovnRaftHealthModule.plan(
      { db: 'nb', members: 3, wait: 5, interval_ms: 50 },
      planContext(host),
    );
    expect(plan.failed).toBeUndefined();
    expect(calls).toBe(3);
    expect(plan.result).toMatchObject({
      member: 'c1',
      state: 'member',
      address: A1,
      healthy: true,
      problems: [],
    });
  });

  it('fails with what is still wrong once the wait is over, and asks a bounded number of times', async () => {
    const host = new FakeHost('c2', { answer: () => ({ stdout: FOLLOWER }) });
    const started = Date.now();
    const plan = await ovnRaftHealthModule.plan(
      { db: 'sb', absent: [A2], wait: 0.3, interval_ms: 100 },
      planContext(host),
    );
    expect(Date.now() - started).toBeLessThan(2000);
    expect(plan.failed).toMatch(
      new RegExp(`^OVN_Southbound on c2: ${A2} is still listed \\(still after \\d+ s\\)$`),
    );
    expect(host.queries.length).toBeGreaterThanOrEqual(2);
    expect(host.queries.length).toBeLessThanOrEqual(4);
    expect(host.queries[0]).toBe(
      'ovn-appctl -t /var/run/ovn/ovnsb_db.ctl --timeout=30 cluster/status OVN_Southbound',
    );
  });

  it('reads the raft address from the database file when the member does not answer', async () => {
    const host = new FakeHost('c3', {
      files: { '/var/lib/ovn/ovnnb_db.db': { content: 'x' } },
      answer: (cmd) =>
        cmd.startsWith('ovsdb-tool db-local-address')
          ? { stdout: `${A3}\n` }
          : cmd.includes('cluster/status')
            ? DOWN
            : undefined,
    });
    const plan = await ovnRaftHealthModule.plan(
      { db: 'nb', healthy: false, db_file: '/var/lib/ovn/ovnnb_db.db' },
      planContext(host),
    );
    expect(plan.failed).toBeUndefined();
    expect(plan.result).toMatchObject({ state: 'down', running: false, file_address: A3, healthy: false });
  });
});
