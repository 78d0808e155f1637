/**
 * One OVN deployment on rig hosts for the integration tests: host 0 is the central node (NB, SB,
 * ovn-northd), hosts 1..n are chassis. ovnctl runs the bundled ovn-install.yml against them
 * over SSH, with the restart commands Debian's systemd units would run.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../../helpers/cli.js';
import { type Rig, startRig } from '../../rig/rig.js';
import {
  CONTROLLER_RESTART_COMMAND,
  OVN_RIG_BINDS,
  type OvnCentral,
  type OvnChassis,
  startCentral,
  startChassis,
} from '../../services/ovn.js';

export interface RunResult {
  code: number | null;
  stdout: string;
  stderr: string;
  json: RunJson | undefined;
}

export interface RunJson {
  stats: Record<
    string,
    { ok: number; changed: number; failures: number; unreachable: number; skipped: number }
  >;
  plays: {
    play: { name: string };
    tasks: { task: { name: string }; hosts: Record<string, Record<string, unknown>> }[];
  }[];
}

export interface OvnDeployment {
  rig: Rig;
  central: OvnCentral;
  chassis: OvnChassis[];
  configDir: string;
  /** Inventory names: [central, ...chassis]. */
  names: string[];
  /** Runs `ovnctl run ovn-install.yml` with extra -e words; bounded. */
  run(extra?: string[], timeoutMs?: number): Promise<RunResult>;
  /** Runs another playbook file of the config dir. */
  runPlaybook(file: string, extra?: string[], timeoutMs?: number): Promise<RunResult>;
  /** Runs any ovnctl command line against the deployment's inventory; bounded. */
  cli(args: string[], timeoutMs?: number): Promise<RunResult>;
  /** Path of host i's view of `p` on the real filesystem. */
  file(i: number, p: string): string;
  stop(): Promise<void>;
}

/** ovnctl restarts northd as Debian's unit does: OVN_CTL_OPTS from /etc/default/ovn-central. */
const NORTHD_RESTART =
  "sh -c '. /etc/default/ovn-central; exec /usr/share/ovn/scripts/ovn-ctl restart_northd --ovn-manage-ovsdb=no --no-monitor $OVN_CTL_OPTS'";

function runOvnctl(configDir: string, args: string[], timeoutMs: number): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: configDir,
      env: { ...process.env, CI: 'true', NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => {
      stdout += b.toString();
    });
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`ovnctl ${args.join(' ')} did not finish in ${timeoutMs} ms\n${stderr}`));
    }, timeoutMs);
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      let json: RunJson | undefined;
      try {
        json = JSON.parse(stdout) as RunJson;
      } catch {
        json = undefined;
      }
      resolve({ code, stdout, stderr, json });
    });
  });
}

export interface DeploymentOptions {
  /** First address octet (hosts are 127.0.<net>.<base+1>...); one range per test file. */
  baseOctet: number;
  /** Third address octet (default 0). */
  net?: number;
  namePrefix: string;
  chassis: number;
  /** system-ids the chassis already have (undefined entries: none). */
  systemIds?: (string | undefined)[];
  /** Host 0 is a chassis too (its system-id: centralSystemId, or none). */
  centralAlsoChassis?: boolean;
  centralSystemId?: string;
  /** The central node's NB and SB as one-member raft clusters with this raft protocol. */
  cluster?: 'tcp' | 'ssl';
  /** Extra content for user_ovn.yml (YAML lines). */
  userVars?: string[];
}

export async function startDeployment(opts: DeploymentOptions): Promise<OvnDeployment> {
  const rig = await startRig({
    hosts: 1 + opts.chassis,
    baseOctet: opts.baseOctet,
    ...(opts.net !== undefined ? { net: opts.net } : {}),
    namePrefix: opts.namePrefix,
    extraBinds: [...OVN_RIG_BINDS, '/etc/default'],
  });
  const chassis: OvnChassis[] = [];
  let central: OvnCentral | undefined;
  let configDir = '';
  const stop = async (): Promise<void> => {
    for (const c of chassis) await c.stop(central).catch(() => {});
    await central?.stop().catch(() => {});
    await rig.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  };
  try {
    const address = rig.hosts[0]?.address ?? '';
    central = await startCentral(
      rig,
      0,
      opts.cluster ? { cluster: { protocol: opts.cluster, address } } : {},
    );
    if (opts.centralAlsoChassis) {
      const systemId = opts.centralSystemId;
      chassis.push(await startChassis(rig, 0, { encapIp: address, ...(systemId ? { systemId } : {}) }));
    }
    for (let i = 1; i <= opts.chassis; i++) {
      const systemId = opts.systemIds?.[i - 1];
      chassis.push(
        await startChassis(rig, i, {
          encapIp: rig.hosts[i]?.address ?? '',
          ...(systemId ? { systemId } : {}),
        }),
      );
    }
    configDir = await mkdtemp(join(tmpdir(), 'ovnctl-ovn-'));
    const names = rig.hosts.map((h) => h.name);
    const hostLines = (i: number) => {
      const h = rig.hosts[i];
      if (!h) throw new Error(`no rig host ${i}`);
      return [
        `        ${h.name}:`,
        `          ansible_host: ${h.address}`,
        `          ansible_port: ${h.port}`,
        `          ansible_user: ${h.user}`,
        `          ansible_ssh_private_key_file: ${rig.clientKeyFile}`,
      ];
    };
    const inventory = [
      'all:',
      '  children:',
      '    ovn_central:',
      '      hosts:',
      ...hostLines(0),
      '    ovn_chassis:',
      '      hosts:',
      ...chassis.flatMap((c) => hostLines(c.host)),
      '',
    ].join('\n');
    await writeFile(join(configDir, 'inventory.yml'), inventory);
    await writeFile(join(configDir, 'known_hosts'), rig.knownHosts());
    await writeFile(
      join(configDir, 'user_ovn.yml'),
      [
        '---',
        "# Listeners on each host's own loopback address: rig hosts share one network namespace.",
        'ovn_db_listen_address: "{{ ansible_host }}"',
        `ovn_northd_restart_command: "${NORTHD_RESTART.replace(/"/g, '\\"')}"`,
        `ovn_controller_restart_command: "${CONTROLLER_RESTART_COMMAND}"`,
        ...(opts.userVars ?? []),
        '',
      ].join('\n'),
    );
    const deployment: OvnDeployment = {
      rig,
      central,
      chassis,
      configDir,
      names,
      run: (extra = [], timeoutMs = 90_000) =>
        runOvnctl(
          configDir,
          ['run', 'ovn-install.yml', '-i', 'inventory.yml', '--output', 'json', ...extra],
          timeoutMs,
        ),
      runPlaybook: (file, extra = [], timeoutMs = 60_000) =>
        runOvnctl(
          configDir,
          ['run', join(configDir, file), '-i', 'inventory.yml', '--output', 'json', ...extra],
          timeoutMs,
        ),
      cli: (args, timeoutMs = 120_000) => runOvnctl(configDir, [...args, '-i', 'inventory.yml'], timeoutMs),
      file: (i, p) => join(rig.hostRoot(i), p),
      stop,
    };
    return deployment;
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}

/** Sum of `changed` over every host of a run. */
export function totalChanged(r: RunResult): number {
  return Object.values(r.json?.stats ?? {}).reduce((n, s) => n + s.changed, 0);
}

/** The changed tasks of a run, as "host: task" lines (for failure messages). */
export function changedTasks(r: RunResult): string[] {
  return (r.json?.plays ?? []).flatMap((p) =>
    p.tasks.flatMap((t) =>
      Object.entries(t.hosts)
        .filter(([, res]) => res.changed === true)
        .map(([h]) => `${h}: ${t.task.name}`),
    ),
  );
}

/** Registered result of `task` for `host` in a run. */
export function taskResult(r: RunResult, task: string, host: string): Record<string, unknown> | undefined {
  for (const p of r.json?.plays ?? []) {
    for (const t of p.tasks) if (t.task.name === task && t.hosts[host]) return t.hosts[host];
  }
  return undefined;
}

/** A readable account of a failed run. */
export function explain(r: RunResult): string {
  const failed = (r.json?.plays ?? []).flatMap((p) =>
    p.tasks.flatMap((t) =>
      Object.entries(t.hosts)
        .filter(([, res]) => res.failed === true || res.unreachable === true)
        .map(([h, res]) => `${h}: ${t.task.name}: ${String(res.msg ?? JSON.stringify(res).slice(0, 400))}`),
    ),
  );
  return `exit ${r.code}\n${failed.join('\n')}\n${r.json ? '' : r.stdout.slice(-3000)}\n${r.stderr.slice(-3000)}`;
}
