/**
 * A plaintext OVN central cluster on rig hosts (net 5) with data in it, and `ovnctl run
 * ovn-tls-upgrade.yml` against it over SSH, with the stop/start commands Debian's units run.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, open, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BIN } from '../../helpers/cli.js';
import { type Rig, startRig } from '../../rig/rig.js';
import { OVN_RIG_BINDS } from '../../services/ovn.js';
import {
  NORTHD_RESTART,
  type RaftCentrals,
  START_COMMAND,
  STOP_COMMAND,
  startRaftCentrals,
} from '../../services/ovn-raft.js';
import type { RunResult } from '../ovn/harness.js';

export const MEMBERS = 3;
export const SWITCHES = ['sw-a', 'sw-b', 'sw-c'];
export const PORTS = ['sw-a-p1', 'sw-a-p2', 'sw-b-p1', 'sw-c-p1'];
export const FAKE_CHASSIS = 'chassis-before-tls';

export interface UpgradeDeployment {
  rig: Rig;
  centrals: RaftCentrals;
  configDir: string;
  names: string[];
  /** `ovnctl run ovn-tls-upgrade.yml` with extra words; bounded. */
  run(extra?: string[], timeoutMs?: number): Promise<RunResult>;
  stop(): Promise<void>;
}

export interface UpgradeOptions {
  baseOctet: number;
  namePrefix: string;
  /** More lines for user_upgrade.yml. */
  userVars?: string[];
  /** Host variables (inventory lines, already indented for a host) by host index. */
  hostVars?: Record<number, string[]>;
}

const yamlString = (s: string) => JSON.stringify(s);

/**
 * Runs ovnctl with its stdout in a file: a pipe can lose the end of a large JSON document when
 * the CLI exits (bin/ovnctl.js calls process.exit while a pipe write is still queued).
 */
async function runOvnctl(configDir: string, args: string[], timeoutMs: number): Promise<RunResult> {
  const outFile = join(configDir, `ovnctl-stdout-${Date.now()}.json`);
  const out = await open(outFile, 'w');
  try {
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve, reject) => {
      const child = spawn(process.execPath, [BIN, ...args], {
        cwd: configDir,
        env: { ...process.env, CI: 'true', NO_COLOR: '1' },
        stdio: ['ignore', out.fd, 'pipe'],
      });
      let err = '';
      child.stderr?.on('data', (b: Buffer) => {
        err += b.toString();
      });
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`ovnctl ${args.join(' ')} did not finish in ${timeoutMs} ms\n${err.slice(-2000)}`));
      }, timeoutMs);
      child.once('error', reject);
      child.once('close', (c) => {
        clearTimeout(timer);
        resolve({ code: c, stderr: err });
      });
    });
    const stdout = await readFile(outFile, 'utf8');
    let json: RunResult['json'];
    try {
      json = JSON.parse(stdout) as RunResult['json'];
    } catch {
      json = undefined;
    }
    return { code, stdout, stderr, json };
  } finally {
    await out.close();
    await rm(outFile, { force: true });
  }
}

/** Logical switches and ports in NB, and a chassis row in SB, written before the upgrade. */
async function writeData(c: RaftCentrals): Promise<void> {
  const nb: string[] = [];
  for (const sw of SWITCHES) nb.push('--', 'ls-add', sw);
  for (const p of PORTS) nb.push('--', 'lsp-add', p.replace(/-p\d$/, ''), p);
  const r = await c.nbctl(1, nb.slice(1));
  if (r.code !== 0) throw new Error(`writing NB data: ${r.stderr}`);
  const s = await c.sbctl(2, ['chassis-add', FAKE_CHASSIS, 'geneve', '127.0.5.254']);
  if (s.code !== 0) throw new Error(`writing SB data: ${s.stderr}`);
}

export async function startUpgradeDeployment(o: UpgradeOptions): Promise<UpgradeDeployment> {
  const rig = await startRig({
    hosts: MEMBERS,
    net: 5,
    baseOctet: o.baseOctet,
    namePrefix: o.namePrefix,
    // /var/backups: the upgrade's backups land in each host's own copy.
    extraBinds: [...OVN_RIG_BINDS, '/etc/default', '/var/backups'],
  });
  let centrals: RaftCentrals | undefined;
  let configDir = '';
  const stop = async (): Promise<void> => {
    await centrals?.stop().catch(() => {});
    await rig.stop();
    if (configDir) await rm(configDir, { recursive: true, force: true });
  };
  try {
    centrals = await startRaftCentrals(rig, MEMBERS);
    await writeData(centrals);
    configDir = await mkdtemp(join(tmpdir(), 'ovnctl-upgrade-'));
    // Group variables, so that a host variable can replace one (user_*.yml would win over both).
    const lines = [
      'all:',
      '  vars:',
      `    ovn_raft_upgrade_start_command: ${yamlString(START_COMMAND)}`,
      `    ovn_raft_upgrade_stop_command: ${yamlString(STOP_COMMAND)}`,
      '  children:',
      '    ovn_central:',
      '      hosts:',
    ];
    for (const h of rig.hosts) {
      lines.push(
        `        ${h.name}:`,
        `          ansible_host: ${h.address}`,
        `          ansible_port: ${h.port}`,
        `          ansible_user: ${h.user}`,
        `          ansible_ssh_private_key_file: ${rig.clientKeyFile}`,
        ...(o.hostVars?.[h.index] ?? []),
      );
    }
    await writeFile(join(configDir, 'inventory.yml'), `${lines.join('\n')}\n`);
    await writeFile(join(configDir, 'known_hosts'), rig.knownHosts());
    await writeFile(
      join(configDir, 'user_upgrade.yml'),
      [
        '---',
        `ovn_northd_restart_command: ${yamlString(NORTHD_RESTART)}`,
        'ovn_controller_restart_command: ""',
        // Rig hosts share a network namespace: NB/SB listeners (Connection rows, shared by the
        // members) name every member's own address instead of binding all addresses.
        `_ovn_nb_listeners: "{{ _ovn_central_addresses | map('regex_replace', '^', 'pssl:6641:') | list }}"`,
        `_ovn_sb_listeners: "{{ _ovn_central_addresses | map('regex_replace', '^', 'pssl:6642:') | list }}"`,
        // ...so one member may serve every address, and a leader-only client (ovn_verify's
        // ovn-nbctl) may meet only followers: the test checks TLS itself, --no-leader-only.
        'ovn_verify: false',
        'ovn_raft_upgrade_health_wait: 10',
        'ovn_raft_upgrade_leave_timeout: 20',
        'ovn_raft_upgrade_join_timeout: 30',
        'ovn_raft_upgrade_command_timeout: 60',
        ...(o.userVars ?? []),
        '',
      ].join('\n'),
    );
    return {
      rig,
      centrals,
      configDir,
      names: rig.hosts.map((h) => h.name),
      run: (extra = [], timeoutMs = 150_000) =>
        runOvnctl(
          configDir,
          ['run', 'ovn-tls-upgrade.yml', '-i', 'inventory.yml', '--output', 'json', ...extra],
          timeoutMs,
        ),
      stop,
    };
  } catch (e) {
    await stop().catch(() => {});
    throw e;
  }
}
