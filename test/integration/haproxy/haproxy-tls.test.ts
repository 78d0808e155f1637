/**
 * haproxy-install.yml against two rig hosts running Debian's haproxy (master-worker, reloaded
 * by USR2 through haproxy_reload_command): what the VIPs serve is checked from outside with
 * Node's verifier and openssl s_client, serials compared with the issued certificates.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Rig, startRig } from '../../rig/rig.js';
import { opensslVerify, probe, serialOfPemFile } from '../../services/tls-probe.js';
import { type Env, failures, haproxyEnv, SERVICE_PORT } from './setup.js';

let rig: Rig;
let env: Env;
const timings: Record<string, number> = {};

const rootCa = () => join(env.dir, 'pki/roots/ExampleCorpRoot/certs/ExampleCorpRoot.crt');
const issued = (host: string, vip: string) => join(env.dir, `pki/certs/certs/haproxy_${host}-${vip}.crt`);
const vipsOf = (i: number) => {
  const h = env.hosts[i];
  if (!h) throw new Error('no host');
  return [h.address, h.internal];
};

/** What every VIP of every host serves now, verified against the root CA. */
async function served(): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const [i, h] of env.hosts.entries()) {
    for (const vip of vipsOf(i)) {
      const s = await probe(vip, SERVICE_PORT, rootCa());
      expect(s.authorizationError).toBeUndefined();
      expect(s.authorized).toBe(true);
      expect(s.san).toContain(`IP Address:${vip}`);
      expect(s.san).toContain(`DNS:${h.name}`);
      out.set(`${h.name} ${vip}`, s.serial);
    }
  }
  return out;
}

function issuedSerials(): Map<string, string> {
  const out = new Map<string, string>();
  for (const [i, h] of env.hosts.entries())
    for (const vip of vipsOf(i)) out.set(`${h.name} ${vip}`, serialOfPemFile(issued(h.name, vip)));
  return out;
}

const reloads = () => Promise.all(env.hosts.map((h) => h.haproxy.reloads()));

beforeAll(async () => {
  rig = await startRig({ hosts: 2, baseOctet: 60 });
  env = await haproxyEnv(rig, 160);
});

afterAll(async () => {
  await env?.cleanup();
  await rig?.stop();
  process.stderr.write(`haproxy integration timings (ms): ${JSON.stringify(timings)}\n`);
});

describe('haproxy-install.yml on rig hosts with a real haproxy', () => {
  it('first run: issues one certificate per VIP, installs bundles, reloads once, serves TLS that verifies', async () => {
    const r = env.run('haproxy-install.yml');
    timings.firstRun = r.ms;
    expect(failures(r.json), r.stderr).toEqual([]);
    expect(r.code).toBe(0);
    for (const h of env.hosts) expect(r.json.stats[h.name]?.changed).toBeGreaterThan(0);
    expect(await reloads()).toEqual([1, 1]);

    const now = await served();
    expect(now).toEqual(issuedSerials());
    // Independent verifier: OpenSSL's client, chain to the root and the IP checked.
    const check = await opensslVerify(env.hosts[0]?.internal as string, SERVICE_PORT, rootCa());
    expect(check.output).toContain('Verification: OK');
    expect(check.ok).toBe(true);

    // OSA's file layout on the host; the bundle is certificate, chain, then key, private.
    const h = env.hosts[0];
    if (!h) throw new Error('no host');
    const base = join(rig.hostRoot(0), `etc/haproxy/ssl/haproxy_${h.name}-${h.address}`);
    const pem = readFileSync(`${base}.pem`, 'utf8');
    const blocks = [...pem.matchAll(/-----BEGIN ([A-Z ]+)-----/g)].map((m) => m[1]);
    expect(blocks[0]).toBe('CERTIFICATE');
    expect(blocks[blocks.length - 1]).toBe('PRIVATE KEY');
    expect(blocks.filter((b) => b === 'CERTIFICATE').length).toBeGreaterThanOrEqual(2);
    expect(pem.startsWith(readFileSync(`${base}.crt`, 'utf8'))).toBe(true);
    expect(statSync(`${base}.pem`).mode & 0o777).toBe(0o600);
    expect(statSync(`${base}.key`).mode & 0o777).toBe(0o600);
    expect(readFileSync(`${base}-ca.crt`, 'utf8')).toContain('BEGIN CERTIFICATE');
    const frontends = readFileSync(join(rig.hostRoot(0), 'etc/haproxy/conf.d/ovnctl-tls.cfg'), 'utf8');
    expect(frontends).toContain(
      `bind ${h.address}:${SERVICE_PORT} ssl crt ${base.slice(rig.hostRoot(0).length)}.pem ssl-min-ver TLSv1.2`,
    );
    expect(frontends).toContain(
      'ciphersuites TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256',
    );
  });

  it('re-run: nothing changes and haproxy is not reloaded', async () => {
    const before = await served();
    const r = env.run('haproxy-install.yml');
    timings.rerun = r.ms;
    expect(failures(r.json)).toEqual([]);
    expect(r.code).toBe(0);
    for (const h of env.hosts) expect(r.json.stats[h.name]?.changed).toBe(0);
    expect(r.json.stats.localhost?.changed ?? 0).toBe(0);
    expect(await reloads()).toEqual([1, 1]);
    expect(await served()).toEqual(before);
  });

  it('-e haproxy_pki_regen_cert=true reissues every VIP certificate, reloads, and the new serials are served', async () => {
    const before = await served();
    const r = env.run('haproxy-install.yml', '-e', 'haproxy_pki_regen_cert=true');
    timings.regen = r.ms;
    expect(failures(r.json)).toEqual([]);
    expect(r.code).toBe(0);
    expect(await reloads()).toEqual([2, 2]);
    const after = await served();
    expect(after).toEqual(issuedSerials());
    for (const [k, serial] of after) expect(serial, k).not.toBe(before.get(k));
  });

  it('an invalid bind option is caught by haproxy -c: nothing is activated, the old certificate keeps serving', async () => {
    const before = await served();
    const conf = join(rig.hostRoot(0), 'etc/haproxy/conf.d/ovnctl-tls.cfg');
    const confBefore = readFileSync(conf, 'utf8');
    const r = env.run(
      'haproxy-install.yml',
      '-e',
      'haproxy_ssl_bind_options="ssl-min-ver TLSv1.2 bogus-option"',
      '-e',
      'haproxy_pki_regen_cert=true',
    );
    expect(r.code).toBe(2);
    const messages = failures(r.json);
    expect(messages.length).toBe(2);
    for (const m of messages) {
      expect(m).toContain('Write the TLS frontends');
      expect(m).toContain("unknown keyword 'bogus-option'");
    }
    expect(readFileSync(conf, 'utf8')).toBe(confBefore);
    expect(await reloads()).toEqual([2, 2]);
    // New certificates were issued and installed, but haproxy still serves the old ones.
    expect(await served()).toEqual(before);
    expect(issuedSerials()).not.toEqual(before);

    // The reload those certificates need is owed, not forgotten: the next good run does it.
    const fixed = env.run('haproxy-install.yml');
    expect(failures(fixed.json)).toEqual([]);
    expect(fixed.code).toBe(0);
    expect(await reloads()).toEqual([3, 3]);
    expect(await served()).toEqual(issuedSerials());
  });
});
