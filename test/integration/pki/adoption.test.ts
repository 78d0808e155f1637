/**
 * An existing OpenStack-Ansible pki directory, laid out the way OSA's pki role
 * does it (made here with real openssl commands: RSA-4096 keys, versioned CA
 * certificates behind symlinks, `cat`-made chains), is adopted as it is.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pkiAuthorities } from '../../../src/modules/pki/authorities.js';
import { pkiCertificates } from '../../../src/modules/pki/certificates.js';
import type { PlanContext } from '../../../src/modules/types.js';
import { allSteps, applySteps, LocalFacts, OSA_AUTHORITIES, openssl } from '../../unit/pki/harness.js';

const sh = promisify(execFile);
let base: string;

const LEAF = {
  name: 'haproxy_infra1-10.0.0.11',
  provider: 'ownca',
  cn: 'infra1',
  san: { dns: ['infra1', 'infra1.example.com'], ip: ['10.0.0.11'], uri: [], other: [] },
  signed_by: 'ExampleCorpIntermediate',
};

async function ssl(args: string[]) {
  const r = await openssl(args);
  if (r.rc !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

/** What OSA's create_ca.yml / sign_cert.yml leave behind (file names, modes, symlinks, chains). */
async function makeOsaPkiDir(pki: string) {
  const roots = `${pki}/roots`;
  // OSA's first task creates every base directory with pki_cert_dir_mode (0755).
  for (const d of [
    pki,
    roots,
    `${pki}/certs`,
    `${pki}/certs/csr`,
    `${pki}/certs/private`,
    `${pki}/certs/certs`,
  ]) {
    await fs.mkdir(d, { recursive: true });
    await fs.chmod(d, 0o755);
  }
  for (const ca of ['ExampleCorpRoot', 'ExampleCorpIntermediate']) {
    for (const [d, m] of [
      ['', 0o755],
      ['/csr', 0o700],
      ['/private', 0o700],
      ['/certs', 0o755],
    ] as const) {
      await fs.mkdir(`${roots}/${ca}${d}`, { recursive: true });
      await fs.chmod(`${roots}/${ca}${d}`, m);
    }
  }
  const rootKey = `${roots}/ExampleCorpRoot/private/ExampleCorpRoot.key.pem`;
  const intKey = `${roots}/ExampleCorpIntermediate/private/ExampleCorpIntermediate.key.pem`;
  const leafKey = `${pki}/certs/private/${LEAF.name}.key.pem`;
  await Promise.all(
    [rootKey, intKey, leafKey].map((k) =>
      ssl(['genpkey', '-algorithm', 'RSA', '-pkeyopt', 'rsa_keygen_bits:4096', '-out', k]),
    ),
  );
  for (const k of [rootKey, intKey, leafKey]) await fs.chmod(k, 0o600);
  const ext = `${base}/ext.cnf`;
  await fs.writeFile(ext, 'subjectKeyIdentifier=hash\nauthorityKeyIdentifier=keyid\n');

  // Root: the CSR OSA's openssl_csr makes (its CA task drops O, OU and e-mail), self-signed for 3650 days.
  const rootDir = `${roots}/ExampleCorpRoot`;
  await fs.writeFile(`${rootDir}/serial`, '1000');
  await ssl([
    'req',
    '-new',
    '-key',
    rootKey,
    '-subj',
    '/C=GB/ST=England/CN=Example Corp Root CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=digitalSignature,cRLSign,keyCertSign',
    '-out',
    `${rootDir}/csr/ca_csr-1000.csr`,
  ]);
  await ssl([
    'x509',
    '-req',
    '-in',
    `${rootDir}/csr/ca_csr-1000.csr`,
    '-signkey',
    rootKey,
    '-days',
    '3650',
    '-copy_extensions',
    'copyall',
    '-extfile',
    ext,
    '-out',
    `${rootDir}/certs/ExampleCorpRoot-1000.crt`,
  ]);
  await fs.symlink('ExampleCorpRoot-1000.crt', `${rootDir}/certs/ExampleCorpRoot.crt`);
  await fs.symlink('ExampleCorpRoot.crt', `${rootDir}/certs/ExampleCorpRoot-chain.crt`);

  const intDir = `${roots}/ExampleCorpIntermediate`;
  await fs.writeFile(`${intDir}/serial`, '1000');
  await ssl([
    'req',
    '-new',
    '-key',
    intKey,
    '-subj',
    '/C=GB/ST=England/CN=Example Corp Openstack Infrastructure Intermediate CA',
    '-addext',
    'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext',
    'keyUsage=digitalSignature,cRLSign,keyCertSign',
    '-out',
    `${intDir}/csr/ca_csr-1000.csr`,
  ]);
  await ssl([
    'x509',
    '-req',
    '-in',
    `${intDir}/csr/ca_csr-1000.csr`,
    '-CA',
    `${rootDir}/certs/ExampleCorpRoot.crt`,
    '-CAkey',
    rootKey,
    '-set_serial',
    '0x5f3a7c21d9e0b4a8',
    '-days',
    '3650',
    '-copy_extensions',
    'copyall',
    '-extfile',
    ext,
    '-out',
    `${intDir}/certs/ExampleCorpIntermediate-1000.crt`,
  ]);
  await fs.symlink('ExampleCorpIntermediate-1000.crt', `${intDir}/certs/ExampleCorpIntermediate.crt`);
  await sh('sh', [
    '-c',
    `cat ${intDir}/certs/ExampleCorpIntermediate.crt ${rootDir}/certs/ExampleCorpRoot.crt > ${intDir}/certs/ExampleCorpIntermediate-chain.crt`,
  ]);

  const certs = `${pki}/certs`;
  await ssl([
    'req',
    '-new',
    '-key',
    leafKey,
    '-subj',
    '/CN=infra1',
    '-addext',
    'subjectAltName=DNS:infra1,DNS:infra1.example.com,IP:10.0.0.11',
    '-out',
    `${certs}/csr/${LEAF.name}.csr`,
  ]);
  await ssl([
    'x509',
    '-req',
    '-in',
    `${certs}/csr/${LEAF.name}.csr`,
    '-CA',
    `${intDir}/certs/ExampleCorpIntermediate.crt`,
    '-CAkey',
    intKey,
    '-set_serial',
    '0x1c2d3e4f',
    '-days',
    '3650',
    '-copy_extensions',
    'copyall',
    '-extfile',
    ext,
    '-out',
    `${certs}/certs/${LEAF.name}.crt`,
  ]);
  await fs.copyFile(
    `${intDir}/certs/ExampleCorpIntermediate-chain.crt`,
    `${certs}/certs/${LEAF.name}-ca_bundle.crt`,
  );
  await sh('sh', [
    '-c',
    `cat ${certs}/certs/${LEAF.name}.crt ${intDir}/certs/ExampleCorpIntermediate.crt > ${certs}/certs/${LEAF.name}-chain.crt`,
  ]);
  await fs.writeFile(`${certs}/certs/${LEAF.name}.info`, 'changed: true\n');
}

function ctx(configDir: string, check = false, now = new Date()): PlanContext {
  const facts = new LocalFacts();
  return {
    host: 'localhost',
    target: facts,
    controller: facts,
    vars: {},
    check,
    now: () => now,
    configDir,
    secret: () => {},
  };
}

async function snapshot(dir: string): Promise<string> {
  const r = await sh('sh', [
    '-c',
    `cd ${dir} && find . -printf '%p %m %y %l\\n' | sort && find . -type f -exec sha256sum {} + | sort`,
  ]);
  return r.stdout;
}

beforeAll(async () => {
  base = await fs.mkdtemp(path.join(os.tmpdir(), 'ovnctl-osa-'));
  await makeOsaPkiDir(`${base}/osa/pki`);
}, 120_000);
afterAll(async () => {
  await fs.rm(base, { recursive: true, force: true });
});

describe('adopting an OSA pki_dir', () => {
  it('plans nothing against it with the same variables, in run and check mode', async () => {
    const dir = `${base}/osa`;
    const before = await snapshot(dir);
    for (const check of [true, false]) {
      const cas = await pkiAuthorities.plan(
        { pki_dir: 'pki', authorities: OSA_AUTHORITIES } as never,
        ctx(dir, check),
      );
      expect(cas.failed).toBeUndefined();
      expect(allSteps(cas)).toEqual([]);
      const certs = await pkiCertificates.plan(
        { pki_dir: 'pki', certificates: [LEAF] } as never,
        ctx(dir, check),
      );
      expect(certs.failed).toBeUndefined();
      expect(allSteps(certs)).toEqual([]);
      expect(certs.result?.certificates).toEqual({
        [LEAF.name]: { action: 'kept', serial: '1c2d3e4f', not_after: expect.any(String) },
      });
    }
    expect(await snapshot(dir)).toBe(before);
  });

  it('signs new certificates with the adopted RSA CA, chained like OSA does', async () => {
    const dir = `${base}/new`;
    await sh('cp', ['-a', `${base}/osa`, dir]);
    const extra = {
      name: 'rabbitmq_infra1',
      cn: 'infra1',
      san: { dns: ['infra1'] },
      signed_by: 'ExampleCorpIntermediate',
    };
    const plan = await pkiCertificates.plan(
      { pki_dir: 'pki', certificates: [LEAF, extra] } as never,
      ctx(dir),
    );
    expect(plan.result?.certificates).toMatchObject({
      [LEAF.name]: { action: 'kept' },
      rabbitmq_infra1: { action: 'created' },
    });
    await applySteps(plan.controllerSteps ?? []);
    const p = `${dir}/pki`;
    const v = await openssl([
      'verify',
      '-CAfile',
      `${p}/roots/ExampleCorpRoot/certs/ExampleCorpRoot.crt`,
      '-untrusted',
      `${p}/certs/certs/rabbitmq_infra1-ca_bundle.crt`,
      `${p}/certs/certs/rabbitmq_infra1.crt`,
    ]);
    expect(v.stdout).toContain(': OK');
    const text = (await openssl(['x509', '-in', `${p}/certs/certs/rabbitmq_infra1.crt`, '-noout', '-text']))
      .stdout;
    expect(text).toContain('sha256WithRSAEncryption');
    expect(text).toContain('ASN1 OID: secp384r1');
  });

  it('regenerating the adopted intermediate backs it up and re-signs the OSA certificate in the same run', async () => {
    const dir = `${base}/regen`;
    await sh('cp', ['-a', `${base}/osa`, dir]);
    const p = `${dir}/pki`;
    const leafKey = await fs.readFile(`${p}/certs/private/${LEAF.name}.key.pem`);
    const plan = await pkiAuthorities.plan(
      { pki_dir: 'pki', authorities: OSA_AUTHORITIES, regen_ca: 'ExampleCorpIntermediate' } as never,
      ctx(dir),
    );
    expect(plan.result?.resigned).toEqual([LEAF.name]);
    await applySteps(plan.controllerSteps ?? []);
    const int = `${p}/roots/ExampleCorpIntermediate`;
    expect(await fs.readlink(`${int}/certs/ExampleCorpIntermediate.crt`)).toBe(
      'ExampleCorpIntermediate-1001.crt',
    );
    const backups = (await fs.readdir(`${int}/private`)).filter((f) => f.endsWith('~'));
    expect(backups).toHaveLength(1);
    expect(await fs.readFile(`${int}/private/${backups[0]}`, 'utf8')).toMatch(/BEGIN PRIVATE KEY/);
    const v = await openssl([
      'verify',
      '-CAfile',
      `${p}/roots/ExampleCorpRoot/certs/ExampleCorpRoot.crt`,
      '-untrusted',
      `${p}/certs/certs/${LEAF.name}-ca_bundle.crt`,
      `${p}/certs/certs/${LEAF.name}.crt`,
    ]);
    expect(v.stdout).toContain(': OK');
    expect(await fs.readFile(`${p}/certs/private/${LEAF.name}.key.pem`)).toEqual(leafKey);
    const certs = await pkiCertificates.plan({ pki_dir: 'pki', certificates: [LEAF] } as never, ctx(dir));
    expect(allSteps(certs)).toEqual([]);
  });
});
