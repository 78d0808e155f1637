/**
 * A small fleet for the certificate lifecycle tests: two rig hosts (net 3) running Debian's
 * haproxy with one TLS VIP each, and RabbitMQ on the first. ovnctl runs against it from a temp
 * config dir. The second host's haproxy reload fails while /etc/haproxy/fail-reissue exists and
 * a CA rotation is in its reissue stage (`ovnctl_ca_rotation_stage`): the injected fault.
 */

import { readFileSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CliProcess, runOvnctl, startOvnctl } from '../../helpers/cli-process.js';
import { type Rig, startRig } from '../../rig/rig.js';
import { type HaproxyInHost, startHaproxy } from '../../services/haproxy.js';
import { type RabbitInHost, startRabbitmq } from '../../services/rabbitmq.js';
import { serialOf, splitCerts } from './probe.js';

export const HAPROXY_PORT = 5000;
export const AMQPS_PORT = 5671;

export interface Endpoint {
  label: string;
  address: string;
  port: number;
}

export interface Fleet {
  dir: string;
  rig: Rig;
  names: string[];
  haproxy: HaproxyInHost[];
  rabbit: RabbitInHost;
  endpoints: Endpoint[];
  pki(...parts: string[]): string;
  ovnctl(
    args: readonly string[],
    timeoutMs?: number,
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  start(args: readonly string[]): CliProcess;
  cleanup(): Promise<void>;
}

function inventory(rig: Rig, haproxy: readonly HaproxyInHost[], rabbit: RabbitInHost): string {
  const lines = ['all:', '  hosts:'];
  for (const [i, h] of rig.hosts.entries()) {
    const reload = haproxy[i]?.reloadCommand ?? 'false';
    const guarded = `{{ ('test ! -e /etc/haproxy/fail-reissue && ' if (ovnctl_ca_rotation_stage | default('')) == 'reissue' else '') }}${reload}`;
    lines.push(
      `    ${h.name}:`,
      `      ansible_host: ${h.address}`,
      `      ansible_user: ${h.user}`,
      `      ansible_ssh_private_key_file: ${rig.clientKeyFile}`,
      `      haproxy_reload_command: ${JSON.stringify(guarded)}`,
      `      haproxy_vip_binds: [{address: "${h.address}"}]`,
    );
    if (i === 0) {
      lines.push(
        `      rabbitmq_restart_command: ${JSON.stringify(rabbit.restartCommand)}`,
        `      rabbitmq_pem_reload_command: ${JSON.stringify(rabbit.clearPemCacheCommand)}`,
        `      rabbitmq_management_bind_address: ${h.address}`,
        '      rabbitmq_port_bindings:',
        `        ssl_listeners: {"${h.address}": ${AMQPS_PORT}}`,
      );
    }
  }
  lines.push('  children:', '    haproxy_all:', '      hosts:');
  for (const h of rig.hosts) lines.push(`        ${h.name}:`);
  lines.push('    rabbitmq_all:', '      hosts:', `        ${rig.hosts[0]?.name}:`, '');
  return lines.join('\n');
}

const USER_VARIABLES = `---
haproxy_config_check_command: "haproxy -c -f /etc/haproxy/haproxy.cfg -f /etc/haproxy/conf.d"
haproxy_tls_verify_retries: 20
haproxy_tls_verify_delay_ms: 200
haproxy_service_configs:
  - service:
      haproxy_service_name: keystone_service
      haproxy_port: ${HAPROXY_PORT}
      haproxy_balance_type: http
      haproxy_backend_check: false
      haproxy_backend_nodes:
        - name: keystone1
          ip_addr: 127.0.0.1
      haproxy_backend_port: 5001
rabbitmq_disable_non_tls_listeners: true
rabbitmq_tls_verify_delay_ms: 250
`;

export async function startFleet(opts: {
  baseOctet: number;
  namePrefix: string;
  rabbitPort: number;
}): Promise<Fleet> {
  const rig = await startRig({ hosts: 2, net: 3, baseOctet: opts.baseOctet, namePrefix: opts.namePrefix });
  const dir = await mkdtemp(join(tmpdir(), 'ovnctl-lifecycle-'));
  const haproxy: HaproxyInHost[] = [];
  let rabbit: RabbitInHost | undefined;
  const stopServices = async () => {
    await Promise.all(haproxy.map((h) => h.stop().catch(() => {})));
    await rabbit?.stop().catch(() => {});
  };
  try {
    // The RabbitMQ node runs as user rabbitmq and keeps its data under dir.
    await chmod(dir, 0o711);
    for (const [i, h] of rig.hosts.entries())
      haproxy.push(
        await startHaproxy(rig, i, { address: h.address, workDir: join(dir, `haproxy-${h.name}`) }),
      );
    const first = rig.hosts[0];
    if (!first) throw new Error('no rig host');
    rabbit = await startRabbitmq(rig, 0, {
      address: first.address,
      basePort: opts.rabbitPort,
      workDir: join(dir, `rabbit-${first.name}`),
    });
    await writeFile(join(dir, 'known_hosts'), rig.knownHosts());
    await writeFile(join(dir, 'inventory.yml'), inventory(rig, haproxy, rabbit));
    await writeFile(join(dir, 'user_variables.yml'), USER_VARIABLES);
  } catch (e) {
    await stopServices();
    await rig.stop();
    await rm(dir, { recursive: true, force: true });
    throw e;
  }
  const started = rabbit;
  const endpoints: Endpoint[] = [
    ...rig.hosts.map((h) => ({ label: `haproxy ${h.name}`, address: h.address, port: HAPROXY_PORT })),
    { label: `rabbitmq ${rig.hosts[0]?.name}`, address: rig.hosts[0]?.address as string, port: AMQPS_PORT },
  ];
  return {
    dir,
    rig,
    names: rig.hosts.map((h) => h.name),
    haproxy,
    rabbit: started,
    endpoints,
    pki: (...parts) => join(dir, 'pki', ...parts),
    ovnctl: (args, timeoutMs = 180_000) =>
      runOvnctl([...args, '-i', 'inventory.yml'], { cwd: dir }, timeoutMs),
    start: (args) => startOvnctl([...args, '-i', 'inventory.yml'], { cwd: dir }),
    cleanup: async () => {
      await stopServices();
      await rig.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The CA files on the hosts, as clients of the services get them (haproxy -ca.crt, rabbitmq-ca.pem). */
export function hostCaFiles(fleet: Fleet): string[] {
  return [
    ...fleet.rig.hosts.map((h, i) =>
      join(fleet.rig.hostRoot(i), 'etc/haproxy/ssl', `haproxy_${h.name}-${h.address}-ca.crt`),
    ),
    join(fleet.rig.hostRoot(0), 'etc/rabbitmq/rabbitmq-ca.pem'),
  ];
}

/** The serials in each of those files, in order. */
export function caFileSerials(fleet: Fleet): string[][] {
  return hostCaFiles(fleet).map((f) => splitCerts(readFileSync(f, 'utf8')).map((c) => serialOf(c)));
}
