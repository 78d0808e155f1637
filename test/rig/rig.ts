import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { appendFile, chmod, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive, killAndWait } from './procs.js';
import { generateKey, RigSshd } from './sshd.js';
import { ensureMountPoints, ensureSshdRuntime, ensureTestUser, TEST_USER } from './system.js';

/** Directories every rig host gets its own copy of (bind mounts inside its namespace). */
export const DEFAULT_BINDS = [
  '/etc/haproxy',
  '/etc/rabbitmq',
  '/etc/openvswitch',
  '/etc/ovn',
  '/etc/ssl/ovnctl-test',
];

export interface RigOptions {
  /** Hosts logging in as root. */
  hosts: number;
  /** Adds one more host (the last) whose inventory logs in as `ovnctl-test` with become: true. */
  nonRootHost?: boolean;
  /** More absolute paths to give each host its own copy of. */
  extraBinds?: string[];
  /** Host i listens on 127.0.<net>.<baseOctet + 1 + i>:22. Give each test file its own range. */
  baseOctet?: number;
  net?: number;
  /** Inventory names are `<namePrefix>1`, `<namePrefix>2`... (default `infra`). */
  namePrefix?: string;
  /** Keep the machine's /root/.bashrc in the hosts (default: hidden behind an empty file, like a fresh server). */
  keepRootBashrc?: boolean;
  /** Bound on each sshd's start (default 10 s). */
  startTimeoutMs?: number;
}

export interface RigHost {
  /** 0-based position in `rig.hosts`. */
  index: number;
  name: string;
  address: string;
  port: number;
  /** Login user in the inventory: root, or `ovnctl-test` for the non-root host. */
  user: string;
  become: boolean;
  /** This host's view of each bound path P is `<root>P` on the real filesystem. */
  root: string;
}

export interface Rig {
  readonly dir: string;
  readonly hosts: readonly RigHost[];
  /** Private key accepted by every host, for root and for ovnctl-test. */
  readonly clientKeyFile: string;
  /** known_hosts with every host key as of startRig (regenerateHostKey does not update it). */
  readonly knownHostsFile: string;
  /** Ansible YAML inventory: group `rig` with each host's connection variables. */
  inventory(): string;
  /** known_hosts text for the host keys in use now. */
  knownHosts(): string;
  hostRoot(i: number): string;
  /** Adds a public key (one authorized_keys line) that every host accepts for root and ovnctl-test. */
  authorizeKey(publicKeyLine: string): Promise<void>;
  /** sshd's pid for host i, while it runs. */
  pid(i: number): number | undefined;
  /** Runs argv inside host i's mount and UTS namespaces; stopped by pid in stop(). */
  spawnInHost(i: number, argv: string[], options?: SpawnOptions): ChildProcess;
  restartHost(i: number): Promise<void>;
  /** SIGTERM to the host's sshd and every process in its namespace (sessions included). */
  stopHost(i: number): Promise<void>;
  /** The same with SIGKILL: connections drop without a goodbye. */
  killHost(i: number): Promise<void>;
  /** New host key; a running sshd is restarted to use it. */
  regenerateHostKey(i: number): Promise<void>;
  stop(): Promise<void>;
}

export async function startRig(options: RigOptions): Promise<Rig> {
  const total = options.hosts + (options.nonRootHost ? 1 : 0);
  const base = options.baseOctet ?? 20;
  const net = options.net ?? 0;
  if (total < 1 || base + total > 254 || net < 0 || net > 255)
    throw new Error('test rig: bad host count or address range');
  const binds = [...DEFAULT_BINDS, ...(options.extraBinds ?? [])];
  const timeout = options.startTimeoutMs ?? 10_000;

  await ensureSshdRuntime();
  await ensureMountPoints(binds);
  if (options.nonRootHost) await ensureTestUser();

  const dir = await mkdtemp(join(tmpdir(), 'ovnctl-rig-'));
  // sshd reads AuthorizedKeysFile as the login user: ovnctl-test must be able to reach it.
  await chmod(dir, 0o711);
  const clientKeyFile = join(dir, 'client_key');
  const clientPub = await generateKey(clientKeyFile, 'ovnctl-rig-client');
  const authorizedKeysFile = join(dir, 'authorized_keys');
  await writeFile(authorizedKeysFile, `${clientPub}\n`, { mode: 0o644 });

  const emptyRcFile = join(dir, 'empty-rc');
  await writeFile(emptyRcFile, '', { mode: 0o644 });
  const realHosts = await readFile('/etc/hosts', 'utf8').catch(() => '127.0.0.1 localhost\n');
  const hosts: RigHost[] = [];
  const daemons: RigSshd[] = [];
  const spawned: ChildProcess[] = [];
  for (let i = 0; i < total; i++) {
    const nonRoot = options.nonRootHost === true && i === total - 1;
    const hostDir = join(dir, `host${i + 1}`);
    const root = join(hostDir, 'root');
    for (const b of binds) await mkdir(join(root, b), { recursive: true, mode: 0o755 });
    const host: RigHost = {
      index: i,
      name: `${options.namePrefix ?? 'infra'}${i + 1}`,
      address: `127.0.${net}.${base + 1 + i}`,
      port: 22,
      user: nonRoot ? TEST_USER : 'root',
      become: nonRoot,
      root,
    };
    hosts.push(host);
    const hostsFile = join(hostDir, 'hosts');
    await writeFile(hostsFile, `${realHosts.trimEnd()}\n${host.address} ${host.name}\n`, { mode: 0o644 });
    const daemon = new RigSshd({
      name: host.name,
      address: host.address,
      port: host.port,
      dir: hostDir,
      root,
      binds,
      authorizedKeysFile,
      hostsFile,
      ...(options.keepRootBashrc ? {} : { emptyRcFile }),
    });
    await generateKey(daemon.hostKeyFile, `ovnctl-rig-${host.name}`);
    daemons.push(daemon);
  }

  const knownHosts = (): string =>
    hosts
      .map((h, i) => `${h.address} ${daemons[i]?.hostPublicKey().split(' ').slice(0, 2).join(' ')}\n`)
      .join('');
  const knownHostsFile = join(dir, 'known_hosts');
  await writeFile(knownHostsFile, knownHosts());

  const stopAll = async (): Promise<void> => {
    const live = spawned.map((c) => c.pid).filter((p): p is number => p !== undefined && isAlive(p));
    await killAndWait(live, 'SIGTERM', 3000).catch(() => {});
    await Promise.all(daemons.map((d) => d.stop('SIGTERM').catch(() => d.stop('SIGKILL'))));
    await rm(dir, { recursive: true, force: true });
  };

  try {
    await Promise.all(daemons.map((d) => d.start(timeout)));
  } catch (e) {
    await stopAll().catch(() => {});
    throw e;
  }

  const daemon = (i: number): RigSshd => {
    const d = daemons[i];
    if (!d) throw new Error(`test rig: no host ${i}`);
    return d;
  };

  return {
    dir,
    hosts,
    clientKeyFile,
    knownHostsFile,
    inventory: () => {
      const lines = ['all:', '  children:', '    rig:', '      hosts:'];
      for (const h of hosts) {
        lines.push(
          `        ${h.name}:`,
          `          ansible_host: ${h.address}`,
          `          ansible_port: ${h.port}`,
          `          ansible_user: ${h.user}`,
          `          ansible_ssh_private_key_file: ${clientKeyFile}`,
        );
        if (h.become) lines.push('          ansible_become: true', '          ansible_become_user: root');
      }
      return `${lines.join('\n')}\n`;
    },
    knownHosts,
    hostRoot: (i) => {
      const h = hosts[i];
      if (!h) throw new Error(`test rig: no host ${i}`);
      return h.root;
    },
    authorizeKey: (line) => appendFile(authorizedKeysFile, `${line.trim()}\n`),
    pid: (i) => daemon(i).pid,
    spawnInHost: (i, argv, spawnOptions = {}) => {
      const pid = daemon(i).pid;
      if (pid === undefined) throw new Error(`test rig: host ${i} is not running`);
      const child = spawn('nsenter', ['-t', String(pid), '-m', '-u', '--', ...argv], spawnOptions);
      spawned.push(child);
      return child;
    },
    restartHost: async (i) => {
      await daemon(i).stop('SIGTERM');
      await daemon(i).start(timeout);
    },
    stopHost: (i) => daemon(i).stop('SIGTERM'),
    killHost: (i) => daemon(i).stop('SIGKILL'),
    regenerateHostKey: async (i) => {
      const d = daemon(i);
      await generateKey(d.hostKeyFile, `ovnctl-rig-${hosts[i]?.name}`);
      if (d.pid !== undefined) {
        await d.stop('SIGTERM');
        await d.start(timeout);
      }
    },
    stop: stopAll,
  };
}
