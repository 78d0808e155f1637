import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pkiAuthorities } from '../../../src/modules/pki/authorities.js';
import { pkiCertificates } from '../../../src/modules/pki/certificates.js';
import { parseCertificate } from '../../../src/pki/inspect.js';
import { allSteps, type Harness, harness, OSA_AUTHORITIES, openssl, writtenPaths } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
});
afterEach(async () => {
  await h.cleanup();
});

const roots = () => path.join(h.dir, 'pki', 'roots');
const rootCrt = () => path.join(roots(), 'ExampleCorpRoot/certs/ExampleCorpRoot.crt');
const intCrt = () => path.join(roots(), 'ExampleCorpIntermediate/certs/ExampleCorpIntermediate.crt');
const intChain = () => path.join(roots(), 'ExampleCorpIntermediate/certs/ExampleCorpIntermediate-chain.crt');
const leafDir = () => path.join(h.dir, 'pki', 'certs');
const mode = async (p: string) => (await fs.stat(p)).mode & 0o7777;
const serialOf = async (p: string) => parseCertificate(await fs.readFile(p), p).serial;
const CERTS = [
  {
    name: 'haproxy_infra1',
    cn: 'infra1',
    san: { dns: ['infra1'], ip: ['10.0.0.11'] },
    signed_by: 'ExampleCorpIntermediate',
  },
  {
    name: 'rabbitmq_infra1',
    cn: 'infra1',
    san: 'DNS:infra1,IP:10.0.0.11',
    signed_by: 'ExampleCorpIntermediate',
  },
  { name: 'direct_root', cn: 'rooted', signed_by: 'ExampleCorpRoot' },
];

async function caSetup(params: Record<string, unknown> = {}, vars: Record<string, unknown> = {}) {
  return h.run(pkiAuthorities, { pki_dir: 'pki', authorities: OSA_AUTHORITIES, ...params } as never, vars);
}

describe('pki_authorities on a fresh directory', () => {
  it('creates OSA layout and a root + intermediate that OpenSSL accepts, then plans nothing', async () => {
    const first = await caSetup();
    expect(first.failed).toBeUndefined();
    expect(first.steps).toEqual([]);
    expect(writtenPaths(first).map((p) => path.relative(h.dir, p))).toEqual([
      'pki/roots/ExampleCorpRoot/private/ExampleCorpRoot.key.pem',
      'pki/roots/ExampleCorpRoot/certs/ExampleCorpRoot-1000.crt',
      'pki/roots/ExampleCorpRoot/serial',
      'pki/roots/ExampleCorpIntermediate/private/ExampleCorpIntermediate.key.pem',
      'pki/roots/ExampleCorpIntermediate/certs/ExampleCorpIntermediate-1000.crt',
      'pki/roots/ExampleCorpIntermediate/serial',
      'pki/roots/ExampleCorpIntermediate/certs/ExampleCorpIntermediate-chain.crt',
    ]);
    const keySteps = allSteps(first).filter((s) => s.kind === 'write' && s.path.endsWith('.key.pem'));
    expect(keySteps.every((s) => s.kind === 'write' && s.sensitive && s.mode === 0o600)).toBe(true);
    expect(await fs.readlink(rootCrt())).toBe('ExampleCorpRoot-1000.crt');
    expect(await fs.readlink(path.join(roots(), 'ExampleCorpRoot/certs/ExampleCorpRoot-chain.crt'))).toBe(
      'ExampleCorpRoot.crt',
    );
    expect(await mode(path.join(roots(), 'ExampleCorpRoot/private'))).toBe(0o700);
    expect(await mode(path.join(roots(), 'ExampleCorpRoot/private/ExampleCorpRoot.key.pem'))).toBe(0o600);
    expect(await mode(path.join(leafDir(), 'private'))).toBe(0o700);
    expect((await fs.readFile(path.join(roots(), 'ExampleCorpRoot/serial'), 'utf8')).trim()).toBe('1000');
    const v = await openssl(['verify', '-CAfile', rootCrt(), intCrt()]);
    expect(v.stdout.trim()).toBe(`${intCrt()}: OK`);
    const text = (await openssl(['x509', '-in', intCrt(), '-noout', '-text'])).stdout;
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toContain('ecdsa-with-SHA384');
    expect(text).toMatch(
      /Subject: C ?= ?GB, ST ?= ?England, O ?= ?Example Corporation, OU ?= ?IT Security, CN ?= ?Example Corp Openstack Infrastructure Intermediate CA, emailAddress ?= ?pki@example.com/,
    );
    expect(await fs.readFile(intChain(), 'utf8')).toBe(
      (await fs.readFile(intCrt(), 'utf8')) + (await fs.readFile(rootCrt(), 'utf8')),
    );
    expect(first.result?.authorities).toMatchObject({
      ExampleCorpRoot: { action: 'created' },
      ExampleCorpIntermediate: { action: 'created' },
    });

    const second = await caSetup();
    expect(allSteps(second)).toEqual([]);
    expect(second.result?.authorities).toMatchObject({
      ExampleCorpRoot: { action: 'kept' },
      ExampleCorpIntermediate: { action: 'kept' },
    });
  });

  it('phrases every reason for check mode and writes nothing', async () => {
    const plan = await h.run(
      pkiAuthorities,
      { pki_dir: 'pki', authorities: OSA_AUTHORITIES } as never,
      {},
      { check: true },
    );
    expect(allSteps(plan).length).toBeGreaterThan(5);
    expect(allSteps(plan).every((s) => s.why.startsWith('would '))).toBe(true);
    expect(allSteps(plan).map((s) => s.why)).toContain('would create CA ExampleCorpRoot: does not exist');
    await expect(fs.stat(path.join(h.dir, 'pki'))).rejects.toThrow();
  });

  it('reads authorities from pki_authorities_* variables and drops entries whose condition is false', async () => {
    const [root, inter] = OSA_AUTHORITIES;
    const plan = await h.run(
      pkiAuthorities,
      { pki_dir: 'pki', authorities: [root], search_pattern: 'pki_authorities_' } as never,
      {
        pki_authorities_extra: [inter],
        pki_authorities_off: [{ ...inter, name: 'Skipped', condition: false }],
      },
    );
    expect(Object.keys(plan.result?.authorities as object)).toEqual([
      'ExampleCorpRoot',
      'ExampleCorpIntermediate',
    ]);
    await expect(fs.stat(path.join(roots(), 'Skipped'))).rejects.toThrow();
  });

  it('makes RSA authorities when an entry asks for them (OSA used RSA)', async () => {
    const rsa = OSA_AUTHORITIES.map((a) => ({ ...a, key_type: 'rsa', key_size: 2048 }));
    await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: rsa } as never);
    const text = (await openssl(['x509', '-in', intCrt(), '-noout', '-text'])).stdout;
    expect(text).toContain('Public-Key: (2048 bit)');
    expect(text).toContain('sha256WithRSAEncryption');
    expect(allSteps(await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: rsa } as never))).toEqual([]);
  });
});

describe('regenerating a CA', () => {
  it('backs up the root, re-signs the intermediate with its own key and rebuilds every chain below', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000);
    await caSetup({}, {});
    await h.run(pkiCertificates, { pki_dir: 'pki', certificates: CERTS } as never);
    const oldRootKey = await fs.readFile(
      path.join(roots(), 'ExampleCorpRoot/private/ExampleCorpRoot.key.pem'),
    );
    const oldRoot = await fs.readFile(rootCrt());
    const leafSerial = await serialOf(path.join(leafDir(), 'certs/haproxy_infra1.crt'));
    const rootedSerial = await serialOf(path.join(leafDir(), 'certs/direct_root.crt'));

    const plan = await h.run(
      pkiAuthorities,
      { pki_dir: 'pki', authorities: OSA_AUTHORITIES, regen_ca: 'ExampleCorpRoot' } as never,
      {},
      { now: t0 },
    );
    expect(plan.failed).toBeUndefined();
    expect(plan.result?.authorities).toMatchObject({
      ExampleCorpRoot: {
        action: 'regenerated',
        reason: 'regeneration requested (pki_regen_ca: ExampleCorpRoot)',
      },
      ExampleCorpIntermediate: { action: 'reissued', reason: 'not signed by the current ExampleCorpRoot' },
    });
    expect(plan.result?.resigned).toEqual(['direct_root']);
    expect(plan.result?.rechained).toEqual(['haproxy_infra1', 'rabbitmq_infra1']);
    const stamp = `${t0.toISOString().slice(0, 10)}@${t0.toISOString().slice(11, 19)}~`;
    expect(
      await fs.readFile(path.join(roots(), `ExampleCorpRoot/private/ExampleCorpRoot.key.pem.${stamp}`)),
    ).toEqual(oldRootKey);
    expect(
      await fs.readFile(path.join(roots(), `ExampleCorpRoot/certs/ExampleCorpRoot.crt.${stamp}`)),
    ).toEqual(oldRoot);
    expect(await mode(path.join(roots(), `ExampleCorpRoot/private/ExampleCorpRoot.key.pem.${stamp}`))).toBe(
      0o600,
    );
    expect(await fs.readlink(rootCrt())).toBe('ExampleCorpRoot-1001.crt');
    expect(await fs.readFile(path.join(roots(), 'ExampleCorpRoot/certs/ExampleCorpRoot-1000.crt'))).toEqual(
      oldRoot,
    );
    // Leaves under the intermediate keep their certificate (its key did not change) but get the new chain.
    expect(await serialOf(path.join(leafDir(), 'certs/haproxy_infra1.crt'))).toBe(leafSerial);
    expect(await serialOf(path.join(leafDir(), 'certs/direct_root.crt'))).not.toBe(rootedSerial);
    for (const leaf of ['haproxy_infra1', 'rabbitmq_infra1']) {
      const v = await openssl([
        'verify',
        '-CAfile',
        rootCrt(),
        '-untrusted',
        intCrt(),
        path.join(leafDir(), `certs/${leaf}.crt`),
      ]);
      expect(v.stdout).toContain(': OK');
      const bundle = path.join(leafDir(), `certs/${leaf}-ca_bundle.crt`);
      expect(await fs.readFile(bundle)).toEqual(await fs.readFile(intChain()));
      const chain = await fs.readFile(path.join(leafDir(), `certs/${leaf}-chain.crt`), 'utf8');
      expect(chain.endsWith(await fs.readFile(intCrt(), 'utf8'))).toBe(true);
    }
    const rooted = await openssl([
      'verify',
      '-CAfile',
      rootCrt(),
      path.join(leafDir(), 'certs/direct_root.crt'),
    ]);
    expect(rooted.stdout).toContain(': OK');
    // The same run's later tasks see a consistent tree: nothing left to do.
    expect(
      allSteps(
        await h.run(pkiCertificates, { pki_dir: 'pki', certificates: CERTS } as never, {}, { now: t0 }),
      ),
    ).toEqual([]);
    expect(allSteps(await caSetup({}, {}))).toEqual([]);
  });

  it('regenerating the intermediate re-signs exactly the certificates it signed', async () => {
    await caSetup();
    await h.run(pkiCertificates, { pki_dir: 'pki', certificates: CERTS } as never);
    const before = await Promise.all(CERTS.map((c) => serialOf(path.join(leafDir(), `certs/${c.name}.crt`))));
    const rootBefore = await fs.readFile(rootCrt());
    const plan = await caSetup({ regen_ca: ['ExampleCorpIntermediate'] });
    expect(plan.result?.resigned).toEqual(['haproxy_infra1', 'rabbitmq_infra1']);
    const after = await Promise.all(CERTS.map((c) => serialOf(path.join(leafDir(), `certs/${c.name}.crt`))));
    expect(after[0]).not.toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[2]).toBe(before[2]);
    expect(await fs.readFile(rootCrt())).toEqual(rootBefore);
    const v = await openssl([
      'verify',
      '-CAfile',
      rootCrt(),
      '-untrusted',
      intCrt(),
      path.join(leafDir(), 'certs/haproxy_infra1.crt'),
    ]);
    expect(v.stdout).toContain(': OK');
    expect(allSteps(await h.run(pkiCertificates, { pki_dir: 'pki', certificates: CERTS } as never))).toEqual(
      [],
    );
  });

  it('warns that regen_ca: true regenerates on every run', async () => {
    await caSetup();
    const plan = await caSetup({ regen_ca: true, regen_flag_name: 'openstack_pki_regen_ca' });
    expect(plan.warnings).toEqual([
      "openstack_pki_regen_ca is true: every CA is regenerated on every run (with all it signed); set it back to '' after this run",
    ]);
    expect(plan.result?.authorities).toMatchObject({
      ExampleCorpRoot: { action: 'regenerated' },
      ExampleCorpIntermediate: { action: 'regenerated' },
    });
  });
});

describe('renewal and refusals', () => {
  it('renews a CA inside the renewal window with the same key, so its certificates stay valid', async () => {
    const short = OSA_AUTHORITIES.map((a) => ({ ...a, ttl: '30d' }));
    const t0 = new Date();
    await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: short } as never, {}, { now: t0 });
    const key = await fs.readFile(
      path.join(roots(), 'ExampleCorpIntermediate/private/ExampleCorpIntermediate.key.pem'),
    );
    const t1 = new Date(t0.getTime() + 25 * 86_400_000);
    const plan = await h.run(
      pkiAuthorities,
      { pki_dir: 'pki', authorities: short, renew_before: '10d' } as never,
      {},
      { now: t1 },
    );
    expect(plan.result?.authorities).toMatchObject({
      ExampleCorpRoot: {
        action: 'reissued',
        reason: expect.stringMatching(/within the renewal window \(10d\)$/),
      },
    });
    expect(
      await fs.readFile(
        path.join(roots(), 'ExampleCorpIntermediate/private/ExampleCorpIntermediate.key.pem'),
      ),
    ).toEqual(key);
    expect(writtenPaths(plan).some((p) => p.endsWith('.key.pem'))).toBe(false);
  });

  it('refuses to replace a CA whose key is gone, and writes nothing', async () => {
    await caSetup();
    await fs.rm(path.join(roots(), 'ExampleCorpIntermediate/private/ExampleCorpIntermediate.key.pem'));
    const plan = await caSetup({ regen_flag_name: 'openstack_pki_regen_ca' });
    expect(plan.failed).toMatch(
      /^CA ExampleCorpIntermediate: its certificate exists but its private key is missing; refusing to replace it/,
    );
    expect(plan.failed).toContain('openstack_pki_regen_ca: ExampleCorpIntermediate');
    expect(allSteps(plan)).toEqual([]);
  });

  it('refuses a circle of signers and a missing parent', async () => {
    const [root, inter] = OSA_AUTHORITIES;
    await expect(
      pkiAuthorities.plan(
        {
          pki_dir: 'pki',
          authorities: [{ ...root, signed_by: 'ExampleCorpIntermediate', provider: 'ownca' }, inter],
        } as never,
        h.ctx(),
      ),
    ).rejects.toThrow(/sign each other in a circle/);
    const plan = await pkiAuthorities.plan({ pki_dir: 'pki', authorities: [inter] } as never, h.ctx());
    expect(plan.failed).toMatch(/signed_by ExampleCorpRoot is neither a defined authority nor a CA under/);
  });
});

describe('CA keys encrypted at rest', () => {
  const PASS = 'ca-passphrase-42';

  it('stores CA keys as encrypted PKCS#8 and signs with them', async () => {
    const plan = await caSetup({ ca_key_passphrase: PASS });
    expect(h.secrets).toContain(PASS);
    const keyFile = path.join(roots(), 'ExampleCorpIntermediate/private/ExampleCorpIntermediate.key.pem');
    expect(await fs.readFile(keyFile, 'utf8')).toMatch(/^-{5}BEGIN ENCRYPTED PRIVATE KEY-{5}/);
    expect((await openssl(['pkey', '-in', keyFile, '-passin', `pass:${PASS}`, '-noout'])).rc).toBe(0);
    expect(JSON.stringify(plan)).not.toContain(PASS);
    const certs = await h.run(pkiCertificates, {
      pki_dir: 'pki',
      certificates: CERTS,
      ca_key_passphrase: PASS,
    } as never);
    expect(certs.failed).toBeUndefined();
    expect(allSteps(await caSetup({ ca_key_passphrase: PASS }))).toEqual([]);
  });

  it('encrypts an existing plain CA key in place, keeping the key', async () => {
    await caSetup();
    const intCert = await fs.readFile(intCrt());
    const plan = await caSetup({ ca_key_passphrase: PASS });
    expect(allSteps(plan).map((s) => s.why)).toEqual([
      'encrypt CA key ExampleCorpRoot at rest (a CA key passphrase is set)',
      'encrypt CA key ExampleCorpIntermediate at rest (a CA key passphrase is set)',
    ]);
    expect(await fs.readFile(intCrt())).toEqual(intCert);
    expect(allSteps(await caSetup({ ca_key_passphrase: PASS }))).toEqual([]);
  });

  it('fails on a wrong passphrase without revealing it', async () => {
    await caSetup({ ca_key_passphrase: PASS });
    const plan = await caSetup({ ca_key_passphrase: 'wrong-one-77' });
    expect(plan.failed).toBe(
      `authority ExampleCorpRoot: cannot decrypt CA key ${path.join(roots(), 'ExampleCorpRoot/private/ExampleCorpRoot.key.pem')}: wrong passphrase`,
    );
    expect(plan.failed).not.toContain('wrong-one-77');
    expect(allSteps(plan)).toEqual([]);
  });
});

describe('user-provided CA', () => {
  async function userCa(dir: string, args: string[] = ['-addext', 'keyUsage=critical,keyCertSign,cRLSign']) {
    const r = await openssl([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${dir}/corp.key`,
      '-out',
      `${dir}/corp.crt`,
      '-subj',
      '/O=Corp/CN=Corp Issuing CA',
      '-days',
      '365',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      ...args,
    ]);
    expect(r.rc).toBe(0);
  }
  const corp = { name: 'CorpCA', src_cert: 'corp.crt', src_key: 'corp.key' };

  it('is imported into the layout, signs certificates, and is kept on the next run', async () => {
    await userCa(h.dir);
    const plan = await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: [corp] } as never);
    expect(plan.failed).toBeUndefined();
    expect(plan.result?.authorities).toMatchObject({ CorpCA: { action: 'imported' } });
    const cert = path.join(roots(), 'CorpCA/certs/CorpCA.crt');
    expect(parseCertificate(await fs.readFile(cert), 'x').der).toEqual(
      parseCertificate(await fs.readFile(`${h.dir}/corp.crt`), 'y').der,
    );
    const leaf = await h.run(pkiCertificates, {
      pki_dir: 'pki',
      certificates: [{ name: 'web', cn: 'web', signed_by: 'CorpCA' }],
    } as never);
    expect(leaf.failed).toBeUndefined();
    const v = await openssl([
      'verify',
      '-CAfile',
      `${h.dir}/corp.crt`,
      path.join(leafDir(), 'certs/web.crt'),
    ]);
    expect(v.stdout).toContain(': OK');
    expect(allSteps(await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: [corp] } as never))).toEqual(
      [],
    );
  });

  it('is read from a PKCS#12 bundle', async () => {
    await userCa(h.dir);
    await openssl([
      'pkcs12',
      '-export',
      '-inkey',
      `${h.dir}/corp.key`,
      '-in',
      `${h.dir}/corp.crt`,
      '-out',
      `${h.dir}/corp.p12`,
      '-passout',
      'pass:p12pass',
    ]);
    const entry = { name: 'CorpCA', src_pkcs12: 'corp.p12', src_passphrase: 'p12pass' };
    const plan = await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: [entry] } as never);
    expect(plan.result?.authorities).toMatchObject({ CorpCA: { action: 'imported' } });
    expect(h.secrets).toContain('p12pass');
    expect(allSteps(await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: [entry] } as never))).toEqual(
      [],
    );
  });

  it('is refused, with nothing written, when it cannot sign, expired, mismatched or garbage', async () => {
    await userCa(h.dir, ['-addext', 'keyUsage=critical,digitalSignature']);
    const plan = await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: [corp] } as never);
    expect(plan.failed).toMatch(
      /^authority CorpCA: user-provided CA refused: .*corp.crt \(\/O=Corp\/CN=Corp Issuing CA\) may not sign certificates/,
    );
    expect(allSteps(plan)).toEqual([]);
    await expect(fs.stat(path.join(h.dir, 'pki'))).rejects.toThrow();

    await userCa(h.dir);
    const expired = await h.run(
      pkiAuthorities,
      { pki_dir: 'pki', authorities: [corp] } as never,
      {},
      { now: new Date(Date.now() + 400 * 86_400_000) },
    );
    expect(expired.failed).toMatch(/corp.crt expired on /);
    expect(allSteps(expired)).toEqual([]);

    await fs.writeFile(`${h.dir}/other.key`, (await openssl(['genpkey', '-algorithm', 'ed25519'])).stdout);
    const mismatch = await h.run(pkiAuthorities, {
      pki_dir: 'pki',
      authorities: [{ ...corp, src_key: 'other.key' }],
    } as never);
    expect(mismatch.failed).toMatch(/the private key does not match the CA certificate/);

    await fs.writeFile(`${h.dir}/garbage.crt`, 'hello\n');
    const garbage = await h.run(pkiAuthorities, {
      pki_dir: 'pki',
      authorities: [{ ...corp, src_cert: 'garbage.crt' }],
    } as never);
    expect(garbage.failed).toMatch(/garbage.crt holds no certificate/);
    const missing = await h.run(pkiAuthorities, {
      pki_dir: 'pki',
      authorities: [{ ...corp, src_cert: 'nope.crt' }],
    } as never);
    expect(missing.failed).toMatch(/src_cert .*nope.crt does not exist/);
    await expect(fs.stat(path.join(h.dir, 'pki'))).rejects.toThrow();
  });
});
