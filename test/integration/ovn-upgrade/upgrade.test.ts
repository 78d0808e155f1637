/**
 * ovn-tls-upgrade.yml on a running three-member NB and SB raft cluster over tcp (real
 * ovsdb-server started by ovn-ctl on three rig hosts, data written first): check mode plans and
 * changes nothing; the run moves every member to ssl one at a time with the data intact, closes
 * the plaintext ports, and a client with the issued certificate reads the data over ssl; a second
 * run changes nothing.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInHost } from '../../services/ovn.js';
import {
  answersPlaintext,
  CLIENT_PORT,
  clientArgs,
  DB_FILE,
  type Db,
  RAFT_PORT,
} from '../../services/ovn-raft.js';
import { changedTasks, explain, taskResult } from '../ovn/harness.js';
import {
  FAKE_CHASSIS,
  PORTS,
  SWITCHES,
  startUpgradeDeployment,
  type UpgradeDeployment,
} from './deployment.js';

const run = promisify(execFile);
let d: UpgradeDeployment;

beforeAll(async () => {
  d = await startUpgradeDeployment({ baseOctet: 20, namePrefix: 'ovnup' });
});

afterAll(async () => {
  await d?.stop();
});

/** Addresses in one member's `cluster/status`: its own, then every listed server's. */
async function raftAddresses(i: number, db: Db): Promise<{ own: string; listed: string[]; leader: string }> {
  const text = await d.centrals.status(i, db);
  return {
    own: text.match(/^Address: (\S+)$/m)?.[1] ?? '',
    listed: [...(text.split(/^Servers:$/m)[1] ?? '').matchAll(/ at ([^)\s]+)\)/g)].map((m) => m[1] as string),
    leader: text.match(/^Leader: (\S+)$/m)?.[1] ?? 'unknown',
  };
}

async function switchesAndPorts(i: number): Promise<{ switches: string[]; ports: string[] }> {
  const sw = await d.centrals.nbctl(i, ['--bare', '--columns=name', 'list', 'Logical_Switch']);
  const lsp = await d.centrals.nbctl(i, ['--bare', '--columns=name', 'list', 'Logical_Switch_Port']);
  const names = (t: string) =>
    t
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean)
      .sort();
  return { switches: names(sw.stdout), ports: names(lsp.stdout) };
}

describe('ovn-tls-upgrade.yml on a three-member plaintext raft cluster', () => {
  it('starts from tcp raft members and plaintext listeners that answer', async () => {
    const a = d.centrals.addresses;
    expect(await raftAddresses(1, 'nb')).toMatchObject({ own: `tcp:${a[1]}:6643` });
    for (const addr of a) {
      expect(await answersPlaintext(addr, RAFT_PORT.sb)).toBe(true);
      expect(await answersPlaintext(addr, CLIENT_PORT.nb)).toBe(true);
      expect(await answersPlaintext(addr, CLIENT_PORT.sb)).toBe(true);
    }
  });

  it('in check mode prints the plan per member and changes nothing', async () => {
    const r = await d.run(['--check']);
    expect(r.code, explain(r)).toBe(0);
    const plan = String(taskResult(r, 'Plan for the Northbound members', d.names[0] as string)?.msg);
    const a = d.centrals.addresses;
    expect(plan).toContain(`OVN_Northbound: 3 member(s), 3 to move to ssl, one at a time:`);
    expect(plan).toContain(`${d.names[0]}: tcp:${a[0]}:6643 -> ssl:${a[0]}:6643: leave`);
    // The second member joins through the first one, already on ssl by then.
    expect(plan).toContain(
      `${d.names[1]}: tcp:${a[1]}:6643 -> ssl:${a[1]}:6643: leave, wait until the others no longer list it, stop, remove the database file, join via ssl:${a[0]}:6643,tcp:${a[2]}:6643`,
    );
    const joined = taskResult(r, 'The member joins again with its ssl address', d.names[2] as string);
    expect(JSON.stringify(joined)).toContain(
      `would join the OVN_Northbound cluster as ssl:${a[2]}:6643 via ssl:${a[0]}:6643,ssl:${a[1]}:6643`,
    );
    for (const i of [0, 1, 2]) expect((await raftAddresses(i, 'sb')).own).toBe(`tcp:${a[i]}:6644`);
    const backups = await runInHost(d.rig, 0, ['sh', '-c', 'ls /var/backups/ovn 2>/dev/null | wc -l']);
    expect(backups.stdout.trim()).toBe('0');
  });

  it('moves every member to ssl with the data intact and closes the plaintext ports', async () => {
    const northdBefore = d.centrals.northdPid(0);
    const r = await d.run();
    expect(r.code, explain(r)).toBe(0);
    const a = d.centrals.addresses;
    for (const db of ['nb', 'sb'] as const) {
      const ssl = a.map((x) => `ssl:${x}:${RAFT_PORT[db]}`).sort();
      for (const i of [0, 1, 2]) {
        const s = await raftAddresses(i, db);
        expect(s.own).toBe(`ssl:${a[i]}:${RAFT_PORT[db]}`);
        expect(s.listed.sort()).toEqual(ssl);
        expect(s.leader).not.toBe('unknown');
      }
    }
    // Every member holds the data written before, read through its own socket.
    for (const i of [0, 1, 2]) {
      expect(await switchesAndPorts(i)).toEqual({ switches: [...SWITCHES].sort(), ports: [...PORTS].sort() });
      const ch = await d.centrals.sbctl(i, ['--bare', '--columns=name', 'list', 'Chassis']);
      expect(ch.stdout).toContain(FAKE_CHASSIS);
    }
    for (const addr of a) {
      for (const port of [RAFT_PORT.nb, RAFT_PORT.sb, CLIENT_PORT.nb, CLIENT_PORT.sb])
        expect(await answersPlaintext(addr, port), `${addr}:${port}`).toBe(false);
    }
    const tcp = await run('ovn-nbctl', [`--db=tcp:${a[0]}:6641`, '--timeout=3', 'ls-list']).catch((e) => e);
    expect(tcp instanceof Error).toBe(true);
    // A client with the certificate ovnctl issued reads the data over ssl.
    const remote = a.map((x) => `ssl:${x}:6641`).join(',');
    const nb = await run(
      'ovn-nbctl',
      [`--db=${remote}`, '--no-leader-only', ...clientArgs(d.rig, 1), '--timeout=10', 'ls-list'],
      {
        timeout: 20_000,
      },
    );
    for (const sw of SWITCHES) expect(nb.stdout).toContain(`(${sw})`);
    const sbRemote = a.map((x) => `ssl:${x}:6642`).join(',');
    const sb = await run(
      'ovn-sbctl',
      [`--db=${sbRemote}`, '--no-leader-only', ...clientArgs(d.rig, 2), '--timeout=10', 'list', 'Chassis'],
      {
        timeout: 20_000,
      },
    );
    expect(sb.stdout).toContain(FAKE_CHASSIS);
    // Backups: a copy and a standalone database per member and database, named in the output.
    const backup = taskResult(r, 'Back up the Northbound database file', d.names[2] as string);
    expect(String(backup?.msg)).toMatch(
      /backed up OVN_Northbound on .*\/var\/backups\/ovn\/ovnnb_db-\d{8}T\d{6}Z\.db/,
    );
    const standalone = String(backup?.standalone);
    const rows = await runInHost(d.rig, 2, [
      'ovsdb-tool',
      'query',
      standalone,
      '["OVN_Northbound",{"op":"select","table":"Logical_Switch","where":[],"columns":["name"]}]',
    ]);
    for (const sw of SWITCHES) expect(rows.stdout).toContain(`"${sw}"`);
    expect((await runInHost(d.rig, 2, ['ovsdb-tool', 'db-local-address', DB_FILE('sb')])).stdout.trim()).toBe(
      `ssl:${a[2]}:6644`,
    );
    // ovn-northd was restarted with ssl: remotes and took up its job.
    expect(d.centrals.northdPid(0)).not.toBe(northdBefore);
    const opts = (await runInHost(d.rig, 0, ['cat', '/etc/default/ovn-central'])).stdout;
    expect(opts).toContain(`--ovn-northd-nb-db=ssl:${a[0]}:6641`);
    expect(opts).toContain('--db-sb-create-insecure-remote=no');
  });

  it('changes nothing on a converted cluster', async () => {
    const r = await d.run();
    expect(r.code, explain(r)).toBe(0);
    expect(changedTasks(r)).toEqual([]);
    const plan = String(taskResult(r, 'Plan for the Southbound members', d.names[0] as string)?.msg);
    expect(plan).toContain('OVN_Southbound: all 3 member(s) use ssl: nothing to do');
  });
});
