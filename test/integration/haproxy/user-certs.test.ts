/**
 * haproxy-install.yml in check mode (nothing written, nothing reloaded), then with user-provided
 * material: a global certificate for every VIP and a per-VIP one for the internal VIP. Both made
 * with the openssl CLI, as an operator would bring them.
 */
import { execFile } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, startRig } from '../../rig/rig.js';
import { probe, serialOfPemFile } from '../../services/tls-probe.js';
import { type Env, failures, haproxyEnv, haproxyInventory, SERVICE_PORT } from './setup.js';

const sh = promisify(execFile);
let rig: Rig;
let env: Env;

async function openssl(...args: string[]): Promise<void> {
  await sh('openssl', args);
}

/** A CA and a leaf it signs, with the given SANs, under dir/<name>.{crt,key} (and dir/<name>-ca.crt). */
async function userCert(dir: string, name: string, san: string): Promise<void> {
  const p = (s: string) => join(dir, s);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await openssl(
    'req',
    '-x509',
    ...ec,
    '-keyout',
    p(`${name}-ca.key`),
    '-out',
    p(`${name}-ca.crt`),
    '-subj',
    `/CN=${name} User CA`,
    '-days',
    '30',
  );
  await openssl(
    'req',
    '-new',
    ...ec,
    '-keyout',
    p(`${name}.key`),
    '-out',
    p(`${name}.csr`),
    '-subj',
    `/CN=${name}`,
  );
  await writeFile(
    p(`${name}.ext`),
    `subjectAltName=${san}\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n`,
  );
  await openssl(
    'x509',
    '-req',
    '-in',
    p(`${name}.csr`),
    '-CA',
    p(`${name}-ca.crt`),
    '-CAkey',
    p(`${name}-ca.key`),
    '-CAcreateserial',
    '-days',
    '20',
    '-extfile',
    p(`${name}.ext`),
    '-out',
    p(`${name}.crt`),
  );
}

beforeAll(async () => {
  rig = await startRig({ hosts: 1, baseOctet: 63 });
  env = await haproxyEnv(rig, 163);
});

afterAll(async () => {
  await env?.cleanup();
  await rig?.stop();
});

describe('haproxy-install.yml: check mode, then user-provided certificates', () => {
  it('--check reports the work but writes nothing on the host and reloads nothing', async () => {
    const r = env.run('haproxy-install.yml', '--check');
    expect(failures(r.json), r.stderr).toEqual([]);
    expect(r.code).toBe(0);
    expect(r.json.stats.infra1?.changed).toBeGreaterThan(0);
    expect(existsSync(join(rig.hostRoot(0), 'etc/haproxy/ssl'))).toBe(false);
    expect(existsSync(join(rig.hostRoot(0), 'etc/haproxy/conf.d/ovnctl-tls.cfg'))).toBe(false);
    expect(await env.hosts[0]?.haproxy.reloads()).toBe(0);
  });

  it('serves the global user certificate on one VIP and the per-VIP one on the other; nothing is issued', async () => {
    const h = env.hosts[0];
    if (!h) throw new Error('no host');
    await userCert(env.dir, 'global', `DNS:${h.name},IP:${h.address},IP:${h.internal}`);
    await userCert(env.dir, 'internal', `DNS:${h.name},IP:${h.internal}`);
    const file = (s: string) => join(env.dir, s);
    await writeFile(
      file('inventory.yml'),
      haproxyInventory(rig, env.hosts, () =>
        [
          `user_ssl_cert: ${file('internal.crt')}`,
          `user_ssl_key: ${file('internal.key')}`,
          `user_ssl_ca_cert: ${file('internal-ca.crt')}`,
        ].join(', '),
      ),
    );
    await writeFile(
      file('user-certs.yml'),
      [
        `haproxy_user_ssl_cert: ${file('global.crt')}`,
        `haproxy_user_ssl_key: ${file('global.key')}`,
        `haproxy_user_ssl_ca_cert: ${file('global-ca.crt')}`,
        '',
      ].join('\n'),
    );
    const r = env.run('haproxy-install.yml', '-e', `@${file('user-certs.yml')}`);
    expect(failures(r.json), r.stderr).toEqual([]);
    expect(r.code).toBe(0);
    expect(await h.haproxy.reloads()).toBe(1);

    const external = await probe(h.address, SERVICE_PORT, file('global-ca.crt'));
    expect(external.authorized).toBe(true);
    expect(external.serial).toBe(serialOfPemFile(file('global.crt')));
    const internal = await probe(h.internal, SERVICE_PORT, file('internal-ca.crt'));
    expect(internal.authorized).toBe(true);
    expect(internal.serial).toBe(serialOfPemFile(file('internal.crt')));
    // No haproxy certificate was issued for these VIPs.
    const issued = existsSync(file('pki/certs/certs')) ? readdirSync(file('pki/certs/certs')) : [];
    expect(issued.filter((f) => f.startsWith('haproxy_'))).toEqual([]);

    const again = env.run('haproxy-install.yml', '-e', `@${file('user-certs.yml')}`);
    expect(again.code).toBe(0);
    expect(again.json.stats.infra1?.changed).toBe(0);
    expect(await h.haproxy.reloads()).toBe(1);
  });
});
