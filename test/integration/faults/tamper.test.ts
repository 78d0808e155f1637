/**
 * Certificates installed on real SSH hosts by the pki modules, then tampered with (on a host and
 * in the PKI store): the next run notices, repairs, and reports a change; a swapped CA key is
 * refused rather than "repaired" into a new CA.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../../helpers/cli.js';
import { runOvnctl } from '../../helpers/cli-process.js';
import { auditPkiTree, readCerts, readKey } from '../../helpers/pki-tree.js';
import { makeTree } from '../../helpers/tmp.js';
import { type Rig, startRig } from '../../rig/rig.js';

const DEST = '/etc/ssl/ovnctl-test/tamper';
const PLAYBOOK = `- name: service certificates
  hosts: rig
  gather_facts: false
  tasks:
    - name: Issue
      ovnctl.pki_certificates:
        pki_dir: "{{ ovnctl_config_dir }}/pki"
        search_pattern: ""
        regen_cert: "{{ pki_regen_cert | default('') }}"
        certificates:
          - name: "svc_{{ inventory_hostname }}"
            cn: "{{ inventory_hostname }}.example.com"
            san: {dns: ["{{ inventory_hostname }}.example.com"], ip: ["{{ ansible_host }}"]}
            signed_by: ExampleCorpIntermediate
    - name: Install
      ovnctl.pki_install:
        pki_dir: "{{ ovnctl_config_dir }}/pki"
        search_pattern: ""
        certificates:
          - {name: "svc_{{ inventory_hostname }}", type: certificate, dest: ${DEST}/svc.crt}
          - {name: "svc_{{ inventory_hostname }}", type: private_key, dest: ${DEST}/svc.key}
          - {name: "svc_{{ inventory_hostname }}", type: ca_bundle, dest: ${DEST}/ca.pem}
`;

let rig: Rig;
let dir: string;
let cleanup: () => void;
const pki = () => join(dir, 'pki');

const run = (playbook: string, ...extra: string[]) =>
  runOvnctl(
    ['run', playbook, '-i', 'inventory.yml', '--host-key-checking', 'strict', '--config-dir', dir, ...extra],
    { cwd: dir, env: { HOME: join(dir, 'home') } },
  );

const onHost = (i: number, f: string) => join(rig.hostRoot(i), DEST, f);

/** A self-signed certificate from outside our PKI (made by openssl), for a new key or a given one. */
function foreignCert(cn: string, keyFile?: string): { cert: string; key: string } {
  const key = keyFile ?? join(dir, `${cn}.key`);
  const cert = join(dir, `${cn}.crt`);
  const keyArgs = keyFile
    ? ['-key', keyFile]
    : ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key];
  execFileSync('openssl', ['req', '-x509', ...keyArgs, '-out', cert, '-subj', `/CN=${cn}`, '-days', '30'], {
    stdio: 'ignore',
  });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

/** Each host's installed certificate verifies against its CA bundle, and its key is the certificate's. */
function expectSound(i: number): void {
  const name = rig.hosts[i]?.name;
  const verify = execFileSync('openssl', ['verify', '-CAfile', onHost(i, 'ca.pem'), onHost(i, 'svc.crt')], {
    encoding: 'utf8',
  });
  expect(verify).toContain(': OK');
  const [cert] = readCerts(readFileSync(onHost(i, 'svc.crt')));
  expect(cert?.subject).toContain(`CN=${name}.example.com`);
  expect(cert?.checkPrivateKey(readKey(readFileSync(onHost(i, 'svc.key'))))).toBe(true);
  expect(statSync(onHost(i, 'svc.key')).mode & 0o777).toBe(0o600);
}

beforeAll(async () => {
  rig = await startRig({ hosts: 3, net: 2, baseOctet: 40 });
  const t = makeTree({
    'install.yml': PLAYBOOK,
    'inventory.yml': rig.inventory(),
    known_hosts: rig.knownHosts(),
    'home/.ssh/.keep': '',
  });
  dir = t.dir;
  cleanup = t.cleanup;
  const ca = await run('certificate-authority.yml');
  expect(ca.code, ca.stdout).toBe(0);
  const first = await run('install.yml');
  expect(first.code, first.stdout + first.stderr).toBe(0);
}, 120_000);

afterAll(async () => {
  await rig?.stop();
  cleanup?.();
});

describe('tampered certificates', () => {
  it('on the hosts: a foreign certificate, a truncated bundle, a swapped key, a loosened mode are all repaired', async () => {
    const settled = await run('install.yml', '--output', 'json');
    for (const h of rig.hosts) expect(jsonOf(settled).stats[h.name]).toMatchObject({ changed: 0 });

    writeFileSync(onHost(0, 'svc.crt'), foreignCert('intruder').cert);
    writeFileSync(onHost(0, 'ca.pem'), readFileSync(onHost(0, 'ca.pem'), 'utf8').slice(0, 100));
    copyFileSync(onHost(2, 'svc.key'), onHost(1, 'svc.key'));
    chmodSync(onHost(2, 'svc.key'), 0o644);

    const r = await run('install.yml', '-v');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const [h0, h1, h2] = rig.hosts.map((h) => h.name);
    expect(r.stdout).toContain(`update certificate svc_${h0} at ${DEST}/svc.crt: content changed`);
    expect(r.stdout).toContain(`update ca bundle svc_${h0} at ${DEST}/ca.pem: content changed`);
    expect(r.stdout).toContain(`update private key svc_${h1} at ${DEST}/svc.key: content changed`);
    expect(r.stdout).toContain(`fix private key svc_${h2} at ${DEST}/svc.key: mode 0644 -> 0600`);
    expect(r.stdout).toMatch(new RegExp(`${h0}\\s+: ok=2\\s+changed=1 `));
    expect(r.stdout).toMatch(new RegExp(`${h1}\\s+: ok=2\\s+changed=1 `));
    expect(r.stdout).toMatch(new RegExp(`${h2}\\s+: ok=2\\s+changed=1 `));
    // The key's contents never reach the output, even while it is being replaced.
    expect(r.stdout).not.toContain('PRIVATE KEY');
    for (const [i] of rig.hosts.entries()) expectSound(i);
  });

  it('in the PKI store: a foreign certificate and a swapped key are reissued and pushed', async () => {
    const [h0, h1] = rig.hosts.map((h) => h.name);
    const certs = join(pki(), 'certs');
    // Same key, same name, but not issued by our intermediate.
    const ownKey = join(certs, `private/svc_${h0}.key.pem`);
    writeFileSync(join(certs, `certs/svc_${h0}.crt`), foreignCert(`${h0}.example.com`, ownKey).cert);
    writeFileSync(join(certs, `private/svc_${h1}.key.pem`), foreignCert('other').key);
    const r = await run('install.yml', '-v');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toContain(`reissue svc_${h0}: not signed by the current ExampleCorpIntermediate`);
    expect(r.stdout).toContain(`reissue svc_${h1}: certificate does not match its private key`);
    expect(r.stdout).toMatch(new RegExp(`${h0}\\s+: ok=2\\s+changed=2 `));
    expect(r.stdout).toMatch(new RegExp(`${h1}\\s+: ok=2\\s+changed=2 `));
    expect(auditPkiTree(pki()).problems).toEqual([]);
    for (const [i] of rig.hosts.entries()) expectSound(i);
    // The swapped-in key was kept (the certificate was reissued for it), and is what the host has.
    expect(readFileSync(onHost(1, 'svc.key'), 'utf8')).toBe(
      readFileSync(join(certs, `private/svc_${h1}.key.pem`), 'utf8'),
    );
  });

  it('a swapped CA key is refused: nothing is re-signed or pushed until the real key is back', async () => {
    const keyFile = join(pki(), 'roots/ExampleCorpIntermediate/private/ExampleCorpIntermediate.key.pem');
    const realKey = readFileSync(keyFile);
    const hostCert = readFileSync(onHost(0, 'svc.crt'));
    writeFileSync(keyFile, foreignCert('fake-ca').key, { mode: 0o600 });
    const ca = await run('certificate-authority.yml');
    expect(ca.code).toBe(2);
    expect(ca.stdout).toContain(
      'CA ExampleCorpIntermediate: its certificate does not match its private key; refusing to replace it',
    );
    // A certificate change now needs a signature: the run must not sign with the wrong key.
    const regen = await run('install.yml', '-e', `pki_regen_cert=svc_${rig.hosts[0]?.name}`);
    expect(regen.code, regen.stdout).toBe(2);
    expect(regen.stdout).toContain(
      `fatal: [${rig.hosts[0]?.name}]: FAILED! => CA ExampleCorpIntermediate: its private key ${keyFile} does not match its certificate`,
    );
    expect(readFileSync(onHost(0, 'svc.crt')).equals(hostCert)).toBe(true);
    writeFileSync(keyFile, realKey, { mode: 0o600 });
    const back = await run('certificate-authority.yml');
    expect(back.stdout).toMatch(/localhost\s+: ok=1\s+changed=0/);
    const settled = await run('install.yml', '--output', 'json');
    expect(settled.code).toBe(0);
    for (const h of rig.hosts) expect(jsonOf(settled).stats[h.name]).toMatchObject({ changed: 0 });
  });
});
