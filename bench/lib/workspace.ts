/** The two tools' config directories for one rig, and resetting hosts and controller between runs. */
import { mkdir, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DEFAULT_BINDS, type Rig } from '../../test/rig/rig.js';

export type KeyType = 'ec' | 'rsa';
export const KEY_TYPE_LABEL: Record<KeyType, string> = { ec: 'ECDSA P-384', rsa: 'RSA-2048' };

/** What the service playbooks would do to running services, turned off (nothing runs here). */
const SERVICES_OFF = `haproxy_config_validate_command: ""
haproxy_config_check_command: ""
haproxy_reload_command: "true"
haproxy_tls_verify: false
rabbitmq_restart_command: "true"
rabbitmq_pem_reload_command: "true"
rabbitmq_tls_verify: false
`;

const OVNCTL_KEYS: Record<KeyType, string> = {
  ec: 'pki_default_key_type: ec\npki_default_curve: P-384\npki_default_key_size: 2048\n',
  rsa: 'pki_default_key_type: rsa\npki_default_curve: P-384\npki_default_key_size: 2048\n',
};

const ANSIBLE_KEYS: Record<KeyType, string> = {
  ec: 'key_type: ECC\ncurve: secp384r1\nkey_size: 2048\ndigest: sha384\n',
  rsa: 'key_type: RSA\ncurve: secp384r1\nkey_size: 2048\ndigest: sha256\n',
};

export interface Workspace {
  readonly ovnctlDir: string;
  readonly ansibleDir: string;
  /** Key type of the next runs (rewrites both tools' variables). */
  useKeyType(kt: KeyType): Promise<void>;
  /** Nothing issued, nothing installed: the state before a full job. */
  resetTool(tool: 'ovnctl' | 'ansible'): Promise<void>;
}

/** The rig's inventory with the groups the playbooks target and one haproxy VIP per host. */
export function benchInventory(rig: Rig): string {
  const base = rig
    .inventory()
    .replace(
      '    rig:\n',
      [
        '    rig:',
        '      vars:',
        '        external_lb_vip_address: "{{ ansible_host }}"',
        '        internal_lb_vip_address: "{{ ansible_host }}"',
        '',
      ].join('\n'),
    );
  return `${base}    haproxy_all: {children: {rig: {}}}\n    rabbitmq_all: {children: {rig: {}}}\n    ovn_all: {children: {rig: {}}}\n`;
}

export function ansibleConfig(dir: string, forks: number, knownHosts: string): string {
  return `[defaults]
forks = ${forks}
host_key_checking = True
gathering = explicit
retry_files_enabled = False
interpreter_python = /usr/bin/python3
local_tmp = ${join(dir, 'tmp')}
nocolor = True
deprecation_warnings = False

[ssh_connection]
pipelining = True
ssh_args = -F /dev/null -o ControlMaster=auto -o ControlPersist=120s -o UserKnownHostsFile=${knownHosts} -o StrictHostKeyChecking=yes
control_path_dir = ${join(dir, 'cp')}
control_path = %(directory)s/%%h-%%r
`;
}

export async function createWorkspace(rig: Rig, dir: string, forks: number): Promise<Workspace> {
  const ovnctlDir = join(dir, 'ovnctl');
  const ansibleDir = join(dir, 'ansible');
  const inventory = benchInventory(rig);
  for (const d of [join(ovnctlDir, 'home'), join(ansibleDir, 'tmp'), join(ansibleDir, 'cp')])
    await mkdir(d, { recursive: true });
  for (const d of [ovnctlDir, ansibleDir]) {
    await writeFile(join(d, 'inventory.yml'), inventory);
    await writeFile(join(d, 'known_hosts'), rig.knownHosts());
  }
  await writeFile(
    join(ansibleDir, 'ansible.cfg'),
    ansibleConfig(ansibleDir, forks, join(ansibleDir, 'known_hosts')),
  );
  const clearHosts = async (): Promise<void> => {
    await Promise.all(
      rig.hosts.flatMap((h) =>
        DEFAULT_BINDS.map(async (b) => {
          const d = join(h.root, b);
          for (const entry of await readdir(d).catch(() => [] as string[]))
            await rm(join(d, entry), { recursive: true, force: true });
        }),
      ),
    );
  };
  return {
    ovnctlDir,
    ansibleDir,
    useKeyType: async (kt) => {
      await writeFile(join(ovnctlDir, 'user_variables.yml'), `---\n${SERVICES_OFF}${OVNCTL_KEYS[kt]}`);
      await writeFile(
        join(ansibleDir, 'bench-vars.yml'),
        `---\npki_dir: ${join(ansibleDir, 'pki')}\n${ANSIBLE_KEYS[kt]}`,
      );
    },
    resetTool: async (tool) => {
      await rm(join(tool === 'ovnctl' ? ovnctlDir : ansibleDir, 'pki'), { recursive: true, force: true });
      await rm(join(ovnctlDir, '.ovnctl'), { recursive: true, force: true });
      await clearHosts();
    },
  };
}
