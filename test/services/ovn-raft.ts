/**
 * Three-member (or more) NB and SB raft clusters over tcp on rig hosts, run the way Debian's
 * packages run them: ovn-ctl with OVN_CTL_OPTS from /etc/default/ovn-central, databases under
 * /var/lib/ovn, sockets and pid files under /var/run/ovn (all per-host bind mounts). Each member's
 * raft ports (6643/6644) bind its host's own 127.0.x.y address, so the members of one cluster
 * share a network namespace without sharing a port.
 *
 * Client listeners before TLS: NB through Connection rows (`ptcp:6641:<each member>`, the way
 * OpenStack-Ansible sets them), SB through ovn-ctl's own `--db-sb-create-insecure-remote`
 * (`ptcp:6642:<member>` on its command line). Connection rows are shared by every member: in a
 * shared namespace the first member to bind an address serves it for all (on real hosts each
 * member binds its own).
 */
import { existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { connect } from 'node:net';
import { join } from 'node:path';
import { isAlive, killAndWait } from '../rig/procs.js';
import type { Rig } from '../rig/rig.js';
import { mustRun, type Outcome, pidFrom, runInHost } from './ovn.js';

export const OVN_CTL = '/usr/share/ovn/scripts/ovn-ctl';
export type Db = 'nb' | 'sb';
export const RAFT_PORT: Record<Db, number> = { nb: 6643, sb: 6644 };
export const CLIENT_PORT: Record<Db, number> = { nb: 6641, sb: 6642 };
const SCHEMA: Record<Db, string> = { nb: 'OVN_Northbound', sb: 'OVN_Southbound' };
const SCHEMA_FILE: Record<Db, string> = {
  nb: '/usr/share/ovn/ovn-nb.ovsschema',
  sb: '/usr/share/ovn/ovn-sb.ovsschema',
};
export const DB_FILE = (db: Db) => `/var/lib/ovn/ovn${db}_db.db`;
const PID_FILE = (db: Db) => `/var/run/ovn/ovn${db}_db.pid`;
const CTL = (db: Db) => `/var/run/ovn/ovn${db}_db.ctl`;
const SOCK = (db: Db) => `unix:/var/run/ovn/ovn${db}_db.sock`;

/** What the playbook runs to start / stop one database server of a member ({db}: nb or sb), like Debian's units. */
export const START_COMMAND = `sh -c '. /etc/default/ovn-central; exec ${OVN_CTL} start_{db}_ovsdb $OVN_CTL_OPTS'`;
export const STOP_COMMAND = `${OVN_CTL} stop_{db}_ovsdb`;
/** Restarts ovn-northd with OVN_CTL_OPTS, as Debian's unit does. */
export const NORTHD_RESTART = `sh -c '. /etc/default/ovn-central; exec ${OVN_CTL} restart_northd --ovn-manage-ovsdb=no --no-monitor $OVN_CTL_OPTS'`;

export interface RaftCentrals {
  readonly rig: Rig;
  readonly addresses: readonly string[];
  nbctl(i: number, args: string[]): Promise<Outcome>;
  sbctl(i: number, args: string[]): Promise<Outcome>;
  /** `cluster/status` text of host i's member (rejects when it does not answer). */
  status(i: number, db: Db): Promise<string>;
  /** Waits (bounded) until every member lists `count` servers, knows a leader and has applied everything. */
  waitConverged(db: Db, timeoutMs: number): Promise<void>;
  /** Starts host i's server of `db` with the same command the playbook uses. */
  startMember(i: number, db: Db): Promise<void>;
  /** SIGKILL to host i's server of `db` (and its ovn-ctl monitor): a crash. */
  killMember(i: number, db: Db): Promise<void>;
  /** Pid of host i's northd, if it runs. */
  northdPid(i: number): number | undefined;
  stop(): Promise<void>;
}

/** The ovn-ctl --monitor parent of `pid`, if that is what started it. */
function monitorOf(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
    if (!Number.isInteger(ppid) || ppid <= 1) return undefined;
    const comm = readFileSync(`/proc/${ppid}/comm`, 'utf8').trim();
    return comm === 'ovsdb-server' ? ppid : undefined;
  } catch {
    return undefined;
  }
}

function optionsFile(i: number, addresses: readonly string[]): string {
  const own = addresses[i] as string;
  const peer = addresses[i === 0 ? 1 : 0] ?? own;
  const words = [
    `--db-nb-cluster-local-addr=${own}`,
    `--db-sb-cluster-local-addr=${own}`,
    // A remote for every member: ovn-ctl then never runs its unbounded `init` on a start.
    `--db-nb-cluster-remote-addr=${peer}`,
    `--db-sb-cluster-remote-addr=${peer}`,
    '--db-sb-create-insecure-remote=yes',
    `--db-sb-addr=${own}`,
  ];
  return `# Written by the test: a clustered central node before TLS.\nOVN_CTL_OPTS="${words.join(' ')}"\n`;
}

/**
 * NB and SB raft clusters over tcp on rig hosts `0..n-1` (created with ovsdb-tool
 * create-cluster / join-cluster), plaintext client listeners, and ovn-northd on every host.
 * The rig needs OVN_RIG_BINDS and /etc/default as extra binds.
 */
export async function startRaftCentrals(rig: Rig, n: number): Promise<RaftCentrals> {
  const hosts = [...Array(n).keys()];
  const addresses = hosts.map((i) => rig.hosts[i]?.address ?? '');
  const seen = new Set<number>();
  const remember = (i: number) => {
    for (const f of [PID_FILE('nb'), PID_FILE('sb'), '/var/run/ovn/ovn-northd.pid']) {
      const pid = pidFrom(rig, i, f);
      if (pid === undefined) continue;
      seen.add(pid);
      const monitor = monitorOf(pid);
      if (monitor !== undefined) seen.add(monitor);
    }
  };
  const ctl = (i: number, db: Db, args: string[]) =>
    runInHost(rig, i, [
      db === 'nb' ? 'ovn-nbctl' : 'ovn-sbctl',
      '--timeout=10',
      `--db=${SOCK(db)}`,
      '--no-leader-only',
      ...args,
    ]);
  const startMember = async (i: number, db: Db): Promise<void> => {
    await mustRun(rig, i, ['sh', '-c', START_COMMAND.replace('{db}', db)], 60_000);
    remember(i);
  };
  const status = async (i: number, db: Db): Promise<string> =>
    mustRun(rig, i, ['ovn-appctl', '-t', CTL(db), '--timeout=5', 'cluster/status', SCHEMA[db]]);
  const stop = async (): Promise<void> => {
    for (const i of hosts) remember(i);
    await killAndWait([...seen].filter(isAlive), 'SIGTERM', 5000);
  };
  const centrals: RaftCentrals = {
    rig,
    addresses,
    nbctl: (i, args) => ctl(i, 'nb', args),
    sbctl: (i, args) => ctl(i, 'sb', args),
    status,
    waitConverged: async (db, timeoutMs) => {
      const deadline = Date.now() + timeoutMs;
      let last = '';
      for (;;) {
        const texts = await Promise.all(hosts.map((i) => status(i, db).catch((e: Error) => e.message)));
        const ok = texts.every(
          (t) =>
            /^Status: cluster member$/m.test(t) &&
            !/^Leader: unknown$/m.test(t) &&
            /^Entries not yet applied: 0$/m.test(t) &&
            (t.split(/^Servers:$/m)[1]?.match(/ at /g)?.length ?? 0) === n,
        );
        if (ok) return;
        last = texts.join('\n---\n');
        if (Date.now() > deadline)
          throw new Error(`${SCHEMA[db]} did not converge in ${timeoutMs} ms:\n${last}`);
        await new Promise((r) => setTimeout(r, 200));
      }
    },
    startMember,
    killMember: async (i, db) => {
      const pid = pidFrom(rig, i, PID_FILE(db));
      if (pid === undefined) throw new Error(`host ${i} runs no ${db} server`);
      const monitor = monitorOf(pid);
      await killAndWait(monitor === undefined ? [pid] : [monitor, pid], 'SIGKILL', 5000);
    },
    northdPid: (i) => {
      const pid = pidFrom(rig, i, '/var/run/ovn/ovn-northd.pid');
      if (pid !== undefined) seen.add(pid);
      return pid;
    },
    stop,
  };
  try {
    for (const i of hosts) {
      const dir = join(rig.hostRoot(i), '/etc/default');
      if (!existsSync(dir))
        throw new Error(`host ${i} has no /etc/default of its own (add it to the rig's binds)`);
      await writeFile(join(dir, 'ovn-central'), optionsFile(i, addresses));
    }
    for (const db of ['nb', 'sb'] as const) {
      const first = `tcp:${addresses[0]}:${RAFT_PORT[db]}`;
      for (const i of hosts) {
        const local = `tcp:${addresses[i]}:${RAFT_PORT[db]}`;
        await mustRun(
          rig,
          i,
          i === 0
            ? ['ovsdb-tool', 'create-cluster', DB_FILE(db), SCHEMA_FILE[db], local]
            : ['ovsdb-tool', 'join-cluster', DB_FILE(db), SCHEMA[db], local, first],
        );
      }
      // The first member elects itself; the others join through it while ovn-ctl waits for them.
      await Promise.all(hosts.map((i) => startMember(i, db)));
      await centrals.waitConverged(db, 30_000);
    }
    // What ovn-ctl's `init` does on a cluster's first start (the options above skip it).
    for (const r of [await centrals.nbctl(0, ['init']), await centrals.sbctl(0, ['init'])])
      if (r.code !== 0) throw new Error(`init: ${r.stderr}`);
    const rows = addresses.map((a) => `ptcp:${CLIENT_PORT.nb}:${a}`);
    const set = await centrals.nbctl(0, ['set-connection', ...rows]);
    if (set.code !== 0) throw new Error(`set-connection: ${set.stderr}`);
    for (const i of hosts) {
      await mustRun(rig, i, [OVN_CTL, 'start_northd', '--ovn-manage-ovsdb=no', '--no-monitor']);
      remember(i);
    }
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
  return centrals;
}

/**
 * Does `address:port` answer a plaintext JSON-RPC echo? (A tcp listener does; an ssl one waits
 * for a TLS handshake and drops the connection; a closed port refuses.) Bounded by `timeoutMs`.
 */
export function answersPlaintext(address: string, port: number, timeoutMs = 2000): Promise<boolean> {
  return new Promise((resolve) => {
    const sock = connect({ host: address, port });
    let data = '';
    const done = (ok: boolean) => {
      sock.destroy();
      resolve(ok);
    };
    sock.setTimeout(timeoutMs, () => done(false));
    sock.once('connect', () =>
      sock.write(JSON.stringify({ method: 'echo', params: ['ovnctl'], id: 'probe' })),
    );
    sock.on('data', (b: Buffer) => {
      data += b.toString('utf8');
      if (data.includes('"probe"')) done(true);
    });
    sock.once('error', () => done(false));
    sock.once('close', () => done(data.includes('"probe"')));
  });
}

/** Runs a ctl from the test process against `remote` with host i's issued client certificate (real paths). */
export function clientArgs(rig: Rig, i: number): string[] {
  const pki = join(rig.hostRoot(i), '/etc/ovn/pki');
  return [
    `--private-key=${pki}/client-privkey.pem`,
    `--certificate=${pki}/client-cert.pem`,
    `--ca-cert=${pki}/cacert.pem`,
  ];
}
