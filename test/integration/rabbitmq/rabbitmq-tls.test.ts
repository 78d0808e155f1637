/**
 * rabbitmq-install.yml against a rig host running Debian's rabbitmq-server (a private node,
 * started and restarted by the test's own scripts), next to a haproxy host: TLS on 5671 checked
 * from outside; a certificate change clears the PEM cache without a restart, a settings change
 * restarts; haproxy's regen flag leaves RabbitMQ alone.
 */
import { execFile } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tlsVerifyModule } from '../../../src/modules/service/tls-verify.js';
import { jsonOf, ovnctl } from '../../helpers/cli.js';
import { type Rig, startRig } from '../../rig/rig.js';
import { type HaproxyInHost, startHaproxy } from '../../services/haproxy.js';
import { type RabbitInHost, startRabbitmq } from '../../services/rabbitmq.js';
import { probe, serialOfPemFile } from '../../services/tls-probe.js';
import { planContext } from '../../unit/service/context.js';
import { failures } from '../haproxy/setup.js';

const sh = promisify(execFile);
const AMQPS = 5671;
const HAPROXY_PORT = 5000;
let rig: Rig;
let dir: string;
let rabbit: RabbitInHost | undefined;
let haproxy: HaproxyInHost | undefined;
const timings: Record<string, number> = {};

const rabbitAddr = () => rig.hosts[0]?.address as string;
const haproxyAddr = () => rig.hosts[1]?.address as string;
const rootCa = () => join(dir, 'pki/roots/ExampleCorpRoot/certs/ExampleCorpRoot.crt');
const issuedRabbit = () => serialOfPemFile(join(dir, 'pki/certs/certs/rabbitmq_infra1.crt'));
const issuedHaproxy = () => serialOfPemFile(join(dir, `pki/certs/certs/haproxy_infra2-${haproxyAddr()}.crt`));

function run(playbook: string, ...args: string[]) {
  const started = Date.now();
  const r = ovnctl(['run', playbook, '-i', 'inventory.yml', '--output', 'json', ...args], { cwd: dir });
  return { ...r, json: jsonOf(r), ms: Date.now() - started };
}

async function servedRabbit() {
  const s = await probe(rabbitAddr(), AMQPS, rootCa());
  expect(s.authorizationError).toBeUndefined();
  expect(s.san).toContain(`IP Address:${rabbitAddr()}`);
  expect(s.san).toContain('DNS:infra1');
  return s;
}

const counts = async () => ({ restarts: await rabbit?.restarts(), clears: await rabbit?.cacheClears() });

function inventory(): string {
  const conn = (i: number) => {
    const h = rig.hosts[i];
    if (!h) throw new Error('no host');
    return [
      `          ansible_host: ${h.address}`,
      `          ansible_user: ${h.user}`,
      `          ansible_ssh_private_key_file: ${rig.clientKeyFile}`,
    ];
  };
  return [
    'all:',
    '  children:',
    '    rabbitmq_all:',
    '      hosts:',
    '        infra1:',
    ...conn(0),
    `          rabbitmq_restart_command: ${JSON.stringify(rabbit?.restartCommand)}`,
    `          rabbitmq_pem_reload_command: ${JSON.stringify(rabbit?.clearPemCacheCommand)}`,
    `          rabbitmq_management_bind_address: ${rabbitAddr()}`,
    '          rabbitmq_port_bindings:',
    `            ssl_listeners: {"${rabbitAddr()}": ${AMQPS}}`,
    '    haproxy_all:',
    '      hosts:',
    '        infra2:',
    ...conn(1),
    `          haproxy_reload_command: ${JSON.stringify(haproxy?.reloadCommand)}`,
    `          haproxy_vip_binds: [{address: "${haproxyAddr()}"}]`,
    '',
  ].join('\n');
}

const USER_VARIABLES = `---
rabbitmq_disable_non_tls_listeners: true
rabbitmq_tls_verify_delay_ms: 250
haproxy_config_check_command: "haproxy -c -f /etc/haproxy/haproxy.cfg -f /etc/haproxy/conf.d"
haproxy_service_configs:
  - service:
      haproxy_service_name: rabbitmq_mgmt
      haproxy_port: ${HAPROXY_PORT}
      haproxy_backend_check: false
      haproxy_backend_nodes: [{name: rabbit1, ip_addr: 127.0.0.1}]
`;

beforeAll(async () => {
  rig = await startRig({ hosts: 2, baseOctet: 70 });
  dir = await mkdtemp(join(tmpdir(), 'ovnctl-rabbitmq-'));
  // The node runs as user rabbitmq and keeps its data under dir.
  await chmod(dir, 0o711);
  const started = Date.now();
  rabbit = await startRabbitmq(rig, 0, {
    address: rabbitAddr(),
    basePort: 42170,
    workDir: join(dir, 'rabbit-infra1'),
  });
  timings.rabbitmqStart = Date.now() - started;
  haproxy = await startHaproxy(rig, 1, { address: haproxyAddr(), workDir: join(dir, 'haproxy-infra2') });
  await writeFile(join(dir, 'known_hosts'), rig.knownHosts());
  await writeFile(join(dir, 'inventory.yml'), inventory());
  await writeFile(join(dir, 'user_variables.yml'), USER_VARIABLES);
});

afterAll(async () => {
  await rabbit?.stop();
  await haproxy?.stop();
  await rig?.stop();
  if (dir) await rm(dir, { recursive: true, force: true });
  process.stderr.write(`rabbitmq integration timings (ms): ${JSON.stringify(timings)}\n`);
});

describe('rabbitmq-install.yml on a rig host with a real rabbitmq-server', () => {
  it('first run: issues rabbitmq_<hostname>, installs it for the rabbitmq user, restarts once for the new listener', async () => {
    const r = run('rabbitmq-install.yml');
    timings.firstRun = r.ms;
    expect(failures(r.json), `${r.stderr}\n${await rabbit?.log()}`).toEqual([]);
    expect(r.code).toBe(0);
    expect(await counts()).toEqual({ restarts: 1, clears: 0 });
    const s = await servedRabbit();
    expect(s.authorized).toBe(true);
    expect(s.serial).toBe(issuedRabbit());

    const etc = join(rig.hostRoot(0), 'etc/rabbitmq');
    const { stdout } = await sh('id', ['-u', 'rabbitmq']);
    for (const f of ['rabbitmq.pem', 'rabbitmq.key', 'rabbitmq-ca.pem'])
      expect(statSync(join(etc, f)).uid).toBe(Number(stdout));
    expect(statSync(join(etc, 'rabbitmq.key')).mode & 0o777).toBe(0o600);
    expect(
      readFileSync(join(etc, 'rabbitmq.pem'), 'utf8').match(/BEGIN CERTIFICATE/g)?.length,
    ).toBeGreaterThanOrEqual(2);
    const conf = readFileSync(join(etc, 'conf.d/90-ovnctl-tls.conf'), 'utf8');
    expect(conf).toContain(`listeners.ssl.1 = ${rabbitAddr()}:${AMQPS}`);
    expect(conf).toContain('listeners.tcp = none');
    expect(conf).toContain('ssl_options.fail_if_no_peer_cert = false');
    expect(conf).toContain('management.ssl.port = 15671');
  });

  it('re-run: nothing changes, no restart, no cache clear', async () => {
    const before = (await servedRabbit()).serial;
    const r = run('rabbitmq-install.yml');
    timings.rerun = r.ms;
    expect(failures(r.json)).toEqual([]);
    expect(r.json.stats.infra1?.changed).toBe(0);
    expect(await counts()).toEqual({ restarts: 1, clears: 0 });
    expect((await servedRabbit()).serial).toBe(before);
  });

  it('-e rabbitmq_pki_regen_cert=true: the new certificate is served after a PEM cache clear, without a restart', async () => {
    const before = (await servedRabbit()).serial;
    const r = run('rabbitmq-install.yml', '-e', 'rabbitmq_pki_regen_cert=true');
    timings.regen = r.ms;
    expect(failures(r.json)).toEqual([]);
    expect(r.code).toBe(0);
    expect(await counts()).toEqual({ restarts: 1, clears: 1 });
    const after = await servedRabbit();
    expect(after.serial).toBe(issuedRabbit());
    expect(after.serial).not.toBe(before);
  });

  it('-e haproxy_pki_regen_cert=true changes what haproxy serves and nothing on the RabbitMQ host', async () => {
    const first = run('haproxy-install.yml');
    expect(failures(first.json)).toEqual([]);
    const haproxyBefore = (await probe(haproxyAddr(), HAPROXY_PORT, rootCa())).serial;
    expect(haproxyBefore).toBe(issuedHaproxy());
    const rabbitBefore = (await servedRabbit()).serial;

    const h = run('haproxy-install.yml', '-e', 'haproxy_pki_regen_cert=true');
    const q = run('rabbitmq-install.yml', '-e', 'haproxy_pki_regen_cert=true');
    expect(failures(h.json)).toEqual([]);
    expect(failures(q.json)).toEqual([]);
    const haproxyAfter = await probe(haproxyAddr(), HAPROXY_PORT, rootCa());
    expect(haproxyAfter.authorized).toBe(true);
    expect(haproxyAfter.serial).not.toBe(haproxyBefore);
    expect(haproxyAfter.serial).toBe(issuedHaproxy());
    expect(q.json.stats.infra1?.changed).toBe(0);
    expect((await servedRabbit()).serial).toBe(rabbitBefore);
    expect(await counts()).toEqual({ restarts: 1, clears: 1 });
  });

  it('a TLS settings change restarts the node (and only that): TLS 1.3 is then offered', async () => {
    const r = run('rabbitmq-install.yml', '-e', '{"rabbitmq_ssl_tls_versions": ["tlsv1.3", "tlsv1.2"]}');
    timings.restartRun = r.ms;
    expect(failures(r.json), await rabbit?.log()).toEqual([]);
    expect(r.code).toBe(0);
    expect(await counts()).toEqual({ restarts: 2, clears: 1 });
    const s = await servedRabbit();
    expect(s.protocol).toBe('TLSv1.3');
    expect(s.serial).toBe(issuedRabbit());
  });

  it('serves user-provided material (rabbitmq_user_ssl_*) after a PEM cache clear', async () => {
    const p = (s: string) => join(dir, s);
    const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
    await sh('openssl', [
      'req',
      '-x509',
      ...ec,
      '-keyout',
      p('user-ca.key'),
      '-out',
      p('user-ca.crt'),
      '-subj',
      '/CN=User CA',
      '-days',
      '30',
    ]);
    await sh('openssl', [
      'req',
      '-new',
      ...ec,
      '-keyout',
      p('user.key'),
      '-out',
      p('user.csr'),
      '-subj',
      '/CN=infra1',
    ]);
    await writeFile(
      p('user.ext'),
      `subjectAltName=DNS:infra1,IP:${rabbitAddr()}\nextendedKeyUsage=serverAuth\n`,
    );
    await sh('openssl', [
      'x509',
      '-req',
      '-in',
      p('user.csr'),
      '-CA',
      p('user-ca.crt'),
      '-CAkey',
      p('user-ca.key'),
      '-CAcreateserial',
      '-days',
      '20',
      '-extfile',
      p('user.ext'),
      '-out',
      p('user.crt'),
    ]);
    await writeFile(
      p('user-rabbit.yml'),
      `rabbitmq_user_ssl_cert: ${p('user.crt')}\nrabbitmq_user_ssl_key: ${p('user.key')}\nrabbitmq_user_ssl_ca_cert: ${p('user-ca.crt')}\n`,
    );
    const versions = '{"rabbitmq_ssl_tls_versions": ["tlsv1.3", "tlsv1.2"]}';
    const r = run('rabbitmq-install.yml', '-e', versions, '-e', `@${p('user-rabbit.yml')}`);
    expect(failures(r.json)).toEqual([]);
    expect(r.code).toBe(0);
    expect(await counts()).toEqual({ restarts: 2, clears: 2 });
    const s = await probe(rabbitAddr(), AMQPS, p('user-ca.crt'));
    expect(s.authorized).toBe(true);
    expect(s.serial).toBe(serialOfPemFile(p('user.crt')));
  });

  it('mutual TLS: verify_peer + fail_if_no_peer_cert; the check presents a client certificate, clients without one are refused', async () => {
    const p = (s: string) => join(dir, s);
    await writeFile(
      p('client.yml'),
      'user_pki_certificates_clients:\n  - {name: rabbit_client, cn: client1, signed_by: ExampleCorpIntermediate, extended_key_usage: [clientAuth]}\n',
    );
    const gen = run('certificate-generate.yml', '-e', `@${p('client.yml')}`);
    expect(failures(gen.json)).toEqual([]);
    const client = {
      cert: p('pki/certs/certs/rabbit_client.crt'),
      key: p('pki/certs/private/rabbit_client.key.pem'),
    };
    await writeFile(
      p('mtls.yml'),
      [
        'rabbitmq_ssl_tls_versions: ["tlsv1.3", "tlsv1.2"]',
        'rabbitmq_ssl_verify: verify_peer',
        'rabbitmq_ssl_fail_if_no_peer_cert: true',
        `rabbitmq_tls_verify_client_cert: ${client.cert}`,
        `rabbitmq_tls_verify_client_key: ${client.key}`,
        '',
      ].join('\n'),
    );
    // Back to the issued certificate (a file change) and new TLS settings: one restart covers both.
    const r = run('rabbitmq-install.yml', '-e', `@${p('mtls.yml')}`);
    expect(failures(r.json), await rabbit?.log()).toEqual([]);
    expect(r.code).toBe(0);
    expect(await counts()).toEqual({ restarts: 3, clears: 2 });
    const conf = readFileSync(join(rig.hostRoot(0), 'etc/rabbitmq/conf.d/90-ovnctl-tls.conf'), 'utf8');
    expect(conf).toContain('ssl_options.verify = verify_peer');
    expect(conf).toContain('ssl_options.fail_if_no_peer_cert = true');

    const args = {
      address: rabbitAddr(),
      port: AMQPS,
      ca_file: rootCa(),
      expect_cert_file: p('pki/certs/certs/rabbitmq_infra1.crt'),
    };
    const withCert = await tlsVerifyModule.plan(
      { ...args, client_cert: client.cert, client_key: client.key },
      planContext(),
    );
    expect(withCert.failed).toBeUndefined();
    const without = await tlsVerifyModule.plan(args, planContext());
    expect(without.failed).toMatch(/certificate required|handshake failure/);
  });
});
