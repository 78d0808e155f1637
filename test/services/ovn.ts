/**
 * Debian's OVN and Open vSwitch daemons inside rig hosts, laid out as the packages lay them out
 * (sockets and pid files under /var/run/ovn and /var/run/openvswitch, databases under
 * /var/lib/ovn and /etc/openvswitch, logs under /var/log/...). Every one of those directories is
 * a per-host bind mount (OVN_RIG_BINDS), so each host's files live in the rig's temp dir and
 * the playbook under test runs with the packages' default paths.
 *
 * Network devices: rig hosts share one network namespace, and ovs-vswitchd's userspace
 * (netdev) datapath creates tap devices for its datapath (`ovs-netdev`) and bridges (`br-int`).
 * Two chassis would fight over those names, and a crashed test would leave them behind. So each
 * chassis's ovs-vswitchd runs in a network namespace of its own (`unshare --net`): its taps live
 * and die with it, and both chassis keep the default integration bridge name. ovn-controller
 * stays in the shared namespace (it reaches the SB database over 127.0.0.x and ovs-vswitchd
 * over unix sockets), so encap IPs are the hosts' loopback addresses.
 */
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { isAlive, killAndWait } from '../rig/procs.js';
import type { Rig } from '../rig/rig.js';

const run = promisify(execFile);

/** Directories each rig host needs its own copy of, on top of the rig's defaults (/etc/ovn, /etc/openvswitch). */
export const OVN_RIG_BINDS = [
  '/var/run/ovn',
  '/var/lib/ovn',
  '/var/log/ovn',
  '/var/run/openvswitch',
  '/var/log/openvswitch',
];

const OVN_CTL = '/usr/share/ovn/scripts/ovn-ctl';
/** What systemd's units run, for `ovn_northd_restart_command` / `ovn_controller_restart_command`. */
export const NORTHD_RESTART_COMMAND = `${OVN_CTL} restart_northd --ovn-manage-ovsdb=no --no-monitor`;
export const CONTROLLER_RESTART_COMMAND = `${OVN_CTL} restart_controller --ovn-manage-ovsdb=no --no-monitor`;

export interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs argv inside rig host `i` and waits for it (bounded: killed after timeoutMs). */
export function runInHost(rig: Rig, i: number, argv: string[], timeoutMs = 20_000): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = rig.spawnInHost(i, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr?.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${argv.join(' ')} in host ${i} did not finish in ${timeoutMs} ms`));
    }, timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export async function mustRun(rig: Rig, i: number, argv: string[], timeoutMs?: number): Promise<string> {
  const r = await runInHost(rig, i, argv, timeoutMs);
  if (r.code !== 0)
    throw new Error(`${argv.join(' ')} in host ${i} exited ${r.code}: ${r.stderr.trim() || r.stdout.trim()}`);
  return r.stdout;
}

/** The pid in a pid file of host `i` (read from the real filesystem), if that process lives. */
export function pidFrom(rig: Rig, i: number, pidFile: string): number | undefined {
  const file = join(rig.hostRoot(i), pidFile);
  if (!existsSync(file)) return undefined;
  const pid = Number(readFileSync(file, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 && isAlive(pid) ? pid : undefined;
}

async function stopPidFiles(
  rig: Rig,
  i: number,
  pidFiles: readonly string[],
  seen: Set<number>,
): Promise<void> {
  for (const f of pidFiles) {
    const pid = pidFrom(rig, i, f);
    if (pid !== undefined) seen.add(pid);
  }
  await killAndWait([...seen].filter(isAlive), 'SIGTERM', 5000);
}

function ovsdbServerArgs(kind: 'nb' | 'sb'): string[] {
  const schema = kind === 'nb' ? 'OVN_Northbound' : 'OVN_Southbound';
  const global = kind === 'nb' ? 'NB_Global' : 'SB_Global';
  const base = `/var/run/ovn/ovn${kind}_db`;
  // As ovn-ctl starts them: listeners and TLS files come from the database (set-connection, set-ssl).
  return [
    'ovsdb-server',
    `/var/lib/ovn/ovn${kind}_db.db`,
    '--detach',
    '--no-chdir',
    `--pidfile=${base}.pid`,
    `--unixctl=${base}.ctl`,
    `--log-file=/var/log/ovn/ovsdb-server-${kind}.log`,
    `--remote=punix:${base}.sock`,
    `--remote=db:${schema},${global},connections`,
    `--private-key=db:${schema},SSL,private_key`,
    `--certificate=db:${schema},SSL,certificate`,
    `--ca-cert=db:${schema},SSL,ca_cert`,
    `--ssl-protocols=db:${schema},SSL,ssl_protocols`,
    `--ssl-ciphers=db:${schema},SSL,ssl_ciphers`,
  ];
}

export interface OvnCentral {
  readonly host: number;
  /** ovn-nbctl / ovn-sbctl over the local unix socket, inside the host. */
  nbctl(args: string[]): Promise<Outcome>;
  sbctl(args: string[]): Promise<Outcome>;
  /** Pid of the running ovn-northd (it changes when the playbook restarts it). */
  northdPid(): number | undefined;
  /** Stops northd, NB and SB by pid (also the northd a playbook restarted). */
  stop(): Promise<void>;
}

export interface CentralOptions {
  /**
   * Make NB and SB one-member raft clusters whose raft address uses this protocol, on the host's
   * address (ports 6643/6644). A single member elects itself, so it runs before any certificate
   * exists even with ssl.
   */
  cluster?: { protocol: 'tcp' | 'ssl'; address: string };
}

/** NB and SB databases plus ovn-northd on unix sockets: an OVN central node before TLS. */
export async function startCentral(rig: Rig, i: number, opts: CentralOptions = {}): Promise<OvnCentral> {
  const seen = new Set<number>();
  const pidFiles = ['/var/run/ovn/ovn-northd.pid', '/var/run/ovn/ovnnb_db.pid', '/var/run/ovn/ovnsb_db.pid'];
  const stop = () => stopPidFiles(rig, i, pidFiles, seen);
  try {
    for (const kind of ['nb', 'sb'] as const) {
      const schema = `/usr/share/ovn/${kind === 'nb' ? 'ovn-nb' : 'ovn-sb'}.ovsschema`;
      const file = `/var/lib/ovn/ovn${kind}_db.db`;
      const c = opts.cluster;
      const raft = c ? `${c.protocol}:${c.address}:${kind === 'nb' ? 6643 : 6644}` : '';
      await mustRun(
        rig,
        i,
        c ? ['ovsdb-tool', 'create-cluster', file, schema, raft] : ['ovsdb-tool', 'create', file, schema],
      );
      await mustRun(rig, i, ovsdbServerArgs(kind));
      const pid = pidFrom(rig, i, `/var/run/ovn/ovn${kind}_db.pid`);
      if (pid === undefined)
        throw new Error(`ovsdb-server (${kind}) in host ${i} did not write its pid file`);
      seen.add(pid);
    }
    // ovn-ctl as Debian's unit runs it: no ovn-northd-db-params.conf yet, so unix sockets.
    await mustRun(rig, i, [OVN_CTL, 'start_northd', '--ovn-manage-ovsdb=no', '--no-monitor']);
    const northd = pidFrom(rig, i, '/var/run/ovn/ovn-northd.pid');
    if (northd === undefined) throw new Error(`ovn-northd in host ${i} did not start`);
    seen.add(northd);
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
  return {
    host: i,
    nbctl: (args) =>
      runInHost(rig, i, ['ovn-nbctl', '--timeout=10', '--db=unix:/var/run/ovn/ovnnb_db.sock', ...args]),
    sbctl: (args) =>
      runInHost(rig, i, ['ovn-sbctl', '--timeout=10', '--db=unix:/var/run/ovn/ovnsb_db.sock', ...args]),
    northdPid: () => {
      const pid = pidFrom(rig, i, '/var/run/ovn/ovn-northd.pid');
      if (pid !== undefined) seen.add(pid);
      return pid;
    },
    stop,
  };
}

export interface ChassisOptions {
  /** Loopback address of the host, used as the Geneve encap IP. */
  encapIp: string;
  /** An existing system-id (as a running chassis has); omitted: none, ovnctl sets one. */
  systemId?: string;
}

export interface OvnChassis {
  readonly host: number;
  vsctl(args: string[]): Promise<Outcome>;
  /** ovn-controller's pid now (it changes when the playbook restarts it). */
  controllerPid(): number | undefined;
  /** Names of network devices in ovs-vswitchd's own namespace (br-int, ovs-netdev...). */
  devices(): Promise<string[]>;
  /** Deletes its Chassis rows through `central` (when given), then stops controller, vswitchd and ovsdb-server by pid. */
  stop(central?: OvnCentral): Promise<void>;
}

/** ovsdb-server + ovs-vswitchd (userspace datapath, own network namespace) + ovn-controller. */
export async function startChassis(rig: Rig, i: number, opts: ChassisOptions): Promise<OvnChassis> {
  const seen = new Set<number>();
  const pidFiles = [
    '/var/run/ovn/ovn-controller.pid',
    '/var/run/openvswitch/ovs-vswitchd.pid',
    '/var/run/openvswitch/ovsdb-server.pid',
  ];
  const vsctl = (args: string[]) => runInHost(rig, i, ['ovs-vsctl', '--timeout=10', ...args]);
  let systemIds = new Set<string>();
  const stop = async (central?: OvnCentral): Promise<void> => {
    const id = (
      await vsctl(['--if-exists', 'get', 'Open_vSwitch', '.', 'external_ids:system-id']).catch(() => null)
    )?.stdout;
    if (id?.trim()) systemIds.add(id.trim().replace(/^"|"$/g, ''));
    await stopPidFiles(rig, i, pidFiles, seen);
    if (!central) return;
    // SIGTERM leaves Chassis rows behind: this host's (by hostname, whatever names it used) go.
    const hostname = rig.hosts[i]?.name ?? '';
    const found = await central.sbctl([
      '--bare',
      '--columns=name',
      'find',
      'Chassis',
      `hostname=${hostname}`,
    ]);
    for (const name of found.stdout.split('\n').map((l) => l.trim())) if (name) systemIds.add(name);
    for (const name of systemIds) await central.sbctl(['--if-exists', 'chassis-del', name]);
  };
  try {
    await mustRun(rig, i, [
      'ovsdb-tool',
      'create',
      '/etc/openvswitch/conf.db',
      '/usr/share/openvswitch/vswitch.ovsschema',
    ]);
    await mustRun(rig, i, [
      'ovsdb-server',
      '/etc/openvswitch/conf.db',
      '--detach',
      '--no-chdir',
      '--pidfile=/var/run/openvswitch/ovsdb-server.pid',
      '--log-file=/var/log/openvswitch/ovsdb-server.log',
      '--remote=punix:/var/run/openvswitch/db.sock',
      '--private-key=db:Open_vSwitch,SSL,private_key',
      '--certificate=db:Open_vSwitch,SSL,certificate',
      '--bootstrap-ca-cert=db:Open_vSwitch,SSL,ca_cert',
    ]);
    const db = pidFrom(rig, i, '/var/run/openvswitch/ovsdb-server.pid');
    if (db === undefined) throw new Error(`ovsdb-server (Open_vSwitch) in host ${i} did not start`);
    seen.add(db);
    await mustRun(rig, i, ['ovs-vsctl', '--timeout=10', '--no-wait', 'init']);
    const ids = [
      'external_ids:ovn-encap-type=geneve',
      `external_ids:ovn-encap-ip=${opts.encapIp}`,
      'external_ids:ovn-bridge-datapath-type=netdev',
      ...(opts.systemId ? [`external_ids:system-id=${opts.systemId}`] : []),
    ];
    await mustRun(rig, i, ['ovs-vsctl', '--timeout=10', '--no-wait', 'set', 'Open_vSwitch', '.', ...ids]);
    if (opts.systemId) systemIds = new Set([opts.systemId]);
    await mustRun(rig, i, [
      'unshare',
      '--net',
      '--',
      'ovs-vswitchd',
      'unix:/var/run/openvswitch/db.sock',
      '--detach',
      '--no-chdir',
      '--pidfile=/var/run/openvswitch/ovs-vswitchd.pid',
      '--log-file=/var/log/openvswitch/ovs-vswitchd.log',
    ]);
    const vswitchd = pidFrom(rig, i, '/var/run/openvswitch/ovs-vswitchd.pid');
    if (vswitchd === undefined) throw new Error(`ovs-vswitchd in host ${i} did not start`);
    seen.add(vswitchd);
    await mustRun(rig, i, [OVN_CTL, 'start_controller', '--ovn-manage-ovsdb=no', '--no-monitor']);
    const controller = pidFrom(rig, i, '/var/run/ovn/ovn-controller.pid');
    if (controller === undefined) throw new Error(`ovn-controller in host ${i} did not start`);
    seen.add(controller);
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
  return {
    host: i,
    vsctl,
    controllerPid: () => {
      const pid = pidFrom(rig, i, '/var/run/ovn/ovn-controller.pid');
      if (pid !== undefined) seen.add(pid);
      return pid;
    },
    devices: async () => {
      const pid = pidFrom(rig, i, '/var/run/openvswitch/ovs-vswitchd.pid');
      if (pid === undefined) return [];
      const { stdout } = await run('nsenter', ['-t', String(pid), '-n', 'ip', '-o', 'link', 'show'], {
        timeout: 5000,
      });
      return linkNames(stdout);
    },
    stop,
  };
}

/** Names of network devices in this (shared) namespace: tests assert they created none. */
export async function sharedNamespaceDevices(): Promise<string[]> {
  const { stdout } = await run('ip', ['-o', 'link', 'show'], { timeout: 5000 });
  return linkNames(stdout);
}

function linkNames(ipOutput: string): string[] {
  return ipOutput.split('\n').flatMap((l) => {
    const m = l.match(/^\d+: ([^:@]+)/);
    return m?.[1] ? [m[1]] : [];
  });
}
