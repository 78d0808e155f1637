/**
 * A member crashes in the middle of ovn-tls-upgrade.yml: right after the first member's
 * Southbound server has rejoined with ssl, the third member's NB and SB servers are killed
 * (SIGKILL). The run must stop at its next guard with the cluster serving (a majority is up),
 * leave the members it had not reached and the listeners as they were, and a run after the
 * member is back completes the upgrade with every row still there.
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { waitUntil } from '../../rig/procs.js';
import { answersPlaintext, CLIENT_PORT, RAFT_PORT, START_COMMAND } from '../../services/ovn-raft.js';
import { explain, taskResult } from '../ovn/harness.js';
import { PORTS, SWITCHES, startUpgradeDeployment, type UpgradeDeployment } from './deployment.js';

let d: UpgradeDeployment;
let hookDir = '';

beforeAll(async () => {
  // The first host's start command pauses after its SB server started (while armed) until the
  // test has killed the third member: the crash lands at one known point of the run.
  // Inside the rig's namespaces /tmp is the machine's /tmp: the hook sees these files.
  hookDir = await mkdtemp(join(tmpdir(), 'ovnctl-upgrade-hook-'));
  const hook =
    `${START_COMMAND} && if [ {db} = sb ] && [ -e ${hookDir}/armed ]; then rm -f ${hookDir}/armed; ` +
    `touch ${hookDir}/go; i=0; while [ ! -e ${hookDir}/ack ] && [ $i -lt 300 ]; do sleep 0.1; i=$((i+1)); done; fi`;
  d = await startUpgradeDeployment({
    baseOctet: 40,
    namePrefix: 'ovnkill',
    hostVars: { 0: [`          ovn_raft_upgrade_start_command: ${JSON.stringify(hook)}`] },
  });
});

afterAll(async () => {
  await d?.stop();
  if (hookDir) await rm(hookDir, { recursive: true, force: true });
});

async function ownAddress(i: number, db: 'nb' | 'sb'): Promise<string> {
  return (await d.centrals.status(i, db)).match(/^Address: (\S+)$/m)?.[1] ?? '';
}

async function names(i: number, table: string): Promise<string[]> {
  const r = await d.centrals.nbctl(i, ['--bare', '--columns=name', 'list', table]);
  return r.stdout
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort();
}

describe('ovn-tls-upgrade.yml when a member crashes half way', () => {
  it('stops at the next guard with the cluster serving, and a re-run completes', async () => {
    const a = d.centrals.addresses;
    await writeFile(join(hookDir, 'armed'), '');
    const running = d.run(['-e', 'ovn_raft_upgrade_join_timeout=8', '-e', 'ovn_raft_upgrade_health_wait=2']);
    let ended = false;
    void running.finally(() => {
      ended = true;
    });
    const paused = await waitUntil(() => existsSync(join(hookDir, 'go')) || ended, 120_000, 100);
    expect(paused && !ended, 'the first member never reached its SB start').toBe(true);
    await d.centrals.killMember(2, 'nb');
    await d.centrals.killMember(2, 'sb');
    await writeFile(join(hookDir, 'ack'), '');
    const r = await running;

    expect(r.code, explain(r)).toBe(2);
    const first = d.names[0] as string;
    // The NB member of the first host moved before the crash; its SB member's last guard failed.
    const guards = (r.json?.plays ?? []).flatMap((p) =>
      p.tasks
        .filter((t) => t.task.name === 'Every other member lists it with its ssl address')
        .map((t) => t.hosts[first]),
    );
    expect(guards.map((g) => g?.failed)).toEqual([false, true]);
    const guard = guards[1];
    expect(JSON.stringify(guard)).toContain(`OVN_Southbound on ${d.names[2]}: the member does not answer`);
    const stopped = taskResult(r, 'Stop the upgrade here', first);
    expect(String(stopped?.msg)).toContain(`Stopped while moving the OVN_Southbound member of ${first}`);

    // The first member moved; the second was never touched; listeners are as they were.
    expect(await ownAddress(0, 'nb')).toBe(`ssl:${a[0]}:${RAFT_PORT.nb}`);
    expect(await ownAddress(0, 'sb')).toBe(`ssl:${a[0]}:${RAFT_PORT.sb}`);
    expect(await ownAddress(1, 'nb')).toBe(`tcp:${a[1]}:${RAFT_PORT.nb}`);
    expect(await ownAddress(1, 'sb')).toBe(`tcp:${a[1]}:${RAFT_PORT.sb}`);
    expect(await answersPlaintext(a[1] as string, CLIENT_PORT.nb)).toBe(true);
    // Two of three members serve: a write through the second member commits, both read it.
    const add = await d.centrals.nbctl(1, ['ls-add', 'sw-during-outage']);
    expect(add.code, add.stderr).toBe(0);
    expect(await names(0, 'Logical_Switch')).toEqual([...SWITCHES, 'sw-during-outage'].sort());
    const sb = await d.centrals.sbctl(0, ['--bare', '--columns=name', 'list', 'Chassis']);
    expect(sb.code, sb.stderr).toBe(0);

    // The operator brings the member back; the run goes on from where it stopped.
    await d.centrals.startMember(2, 'nb');
    await d.centrals.startMember(2, 'sb');
    await d.centrals.waitConverged('nb', 30_000);
    await d.centrals.waitConverged('sb', 30_000);
    const again = await d.run();
    expect(again.code, explain(again)).toBe(0);
    const plan = String(taskResult(again, 'Plan for the Southbound members', first)?.msg);
    expect(plan).toContain('3 member(s), 2 to move to ssl');
    for (const i of [0, 1, 2]) {
      expect(await ownAddress(i, 'nb')).toBe(`ssl:${a[i]}:${RAFT_PORT.nb}`);
      expect(await ownAddress(i, 'sb')).toBe(`ssl:${a[i]}:${RAFT_PORT.sb}`);
      expect(await names(i, 'Logical_Switch')).toEqual([...SWITCHES, 'sw-during-outage'].sort());
      expect(await names(i, 'Logical_Switch_Port')).toEqual([...PORTS].sort());
    }
    for (const addr of a) expect(await answersPlaintext(addr, CLIENT_PORT.nb), addr).toBe(false);
  });
});
