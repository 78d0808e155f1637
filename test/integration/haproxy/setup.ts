/** A config directory for ovnctl runs against rig hosts that run haproxy (shared by the haproxy tests). */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliResult, jsonOf, ovnctl } from '../../helpers/cli.js';
import type { Rig } from '../../rig/rig.js';
import { type HaproxyInHost, startHaproxy } from '../../services/haproxy.js';

export interface HaproxyHost {
  name: string;
  address: string;
  /** The second VIP, on another loopback address. */
  internal: string;
  haproxy: HaproxyInHost;
}

export const SERVICE_PORT = 5000;

/** The inventory: group haproxy_all, two VIPs per host, the test haproxy's reload command. */
export function haproxyInventory(
  rig: Rig,
  hosts: readonly HaproxyHost[],
  /** Extra flow-mapping keys for a host's internal VIP, e.g. `user_ssl_cert: /x.crt`. */
  internalExtra: (host: HaproxyHost) => string = () => '',
): string {
  const lines = ['all:', '  children:', '    haproxy_all:', '      hosts:'];
  for (const [i, h] of hosts.entries()) {
    const r = rig.hosts[i];
    if (!r) throw new Error('rig host missing');
    lines.push(
      `        ${h.name}:`,
      `          ansible_host: ${r.address}`,
      `          ansible_port: ${r.port}`,
      `          ansible_user: ${r.user}`,
      `          ansible_ssh_private_key_file: ${rig.clientKeyFile}`,
      `          haproxy_reload_command: ${JSON.stringify(h.haproxy.reloadCommand)}`,
      '          haproxy_vip_binds:',
      `            - {address: "${h.address}", type: external}`,
      `            - {address: "${h.internal}", type: internal, pki_san_records: ["api-${h.name}.example.test"]${internalExtra(h) ? `, ${internalExtra(h)}` : ''}}`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export const USER_VARIABLES = `---
haproxy_ssl_all_vips: true
haproxy_config_check_command: "haproxy -c -f /etc/haproxy/haproxy.cfg -f /etc/haproxy/conf.d"
haproxy_tls_verify_retries: 20
haproxy_tls_verify_delay_ms: 200
haproxy_service_configs:
  - service:
      haproxy_service_name: keystone_service
      haproxy_port: ${SERVICE_PORT}
      haproxy_balance_type: http
      haproxy_backend_check: false
      haproxy_backend_nodes:
        - name: keystone1
          ip_addr: 127.0.0.1
      haproxy_backend_port: 5001
`;

export interface Env {
  dir: string;
  hosts: HaproxyHost[];
  run(playbook: string, ...args: string[]): CliResult & { json: ReturnType<typeof jsonOf>; ms: number };
  cleanup(): Promise<void>;
}

export async function haproxyEnv(rig: Rig, internalNet: number): Promise<Env> {
  const dir = await mkdtemp(join(tmpdir(), 'ovnctl-haproxy-'));
  const hosts: HaproxyHost[] = [];
  try {
    for (const [i, r] of rig.hosts.entries()) {
      const haproxy = await startHaproxy(rig, i, {
        address: r.address,
        workDir: join(dir, `haproxy-${r.name}`),
      });
      const last = r.address.split('.')[3];
      hosts.push({ name: r.name, address: r.address, internal: `127.0.${internalNet}.${last}`, haproxy });
    }
  } catch (e) {
    await Promise.all(hosts.map((h) => h.haproxy.stop()));
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  await writeFile(join(dir, 'known_hosts'), rig.knownHosts());
  await writeFile(join(dir, 'inventory.yml'), haproxyInventory(rig, hosts));
  await writeFile(join(dir, 'user_variables.yml'), USER_VARIABLES);
  return {
    dir,
    hosts,
    run: (playbook, ...args) => {
      const started = Date.now();
      const r = ovnctl(['run', playbook, '-i', 'inventory.yml', '--output', 'json', ...args], { cwd: dir });
      return { ...r, json: jsonOf(r), ms: Date.now() - started };
    },
    cleanup: async () => {
      await Promise.all(hosts.map((h) => h.haproxy.stop()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every host's failure messages in a run, for assertions and for readable test failures. */
export function failures(json: ReturnType<typeof jsonOf>): string[] {
  const out: string[] = [];
  for (const play of json.plays) {
    for (const task of play.tasks) {
      for (const [host, r] of Object.entries(task.hosts)) {
        if (r.failed) out.push(`${host}: ${task.task.name}: ${String(r.msg)}`);
      }
    }
  }
  return out;
}
