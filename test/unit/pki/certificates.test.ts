import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pkiAuthorities } from '../../../src/modules/pki/authorities.js';
import { pkiCertificates } from '../../../src/modules/pki/certificates.js';
import { parseCertificate } from '../../../src/pki/inspect.js';
import { exportPrivateKey, generateKey } from '../../../src/pki/keys.js';
import { allSteps, type Harness, harness, OSA_AUTHORITIES, openssl, writtenPaths } from './harness.js';

let h: Harness;
beforeEach(async () => {
  h = await harness();
  await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: OSA_AUTHORITIES } as never);
});
afterEach(async () => {
  await h.cleanup();
});

const DAY = 86_400_000;
const certs = () => path.join(h.dir, 'pki', 'certs');
const crt = (n: string) => path.join(certs(), 'certs', `${n}.crt`);
const key = (n: string) => path.join(certs(), 'private', `${n}.key.pem`);
const intDir = () => path.join(h.dir, 'pki', 'roots', 'ExampleCorpIntermediate', 'certs');
const rootCrt = () => path.join(h.dir, 'pki', 'roots', 'ExampleCorpRoot', 'certs', 'ExampleCorpRoot.crt');
const serialOf = async (n: string) => parseCertificate(await fs.readFile(crt(n)), n).serial;

const ENTRIES = [
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
    extended_key_usage: ['serverAuth', 'clientAuth'],
  },
  {
    name: 'neutron_ovn_infra1',
    cn: 'infra1',
    organization_name: 'OVN',
    san: { dns: ['infra1'] },
    key_usage: ['digitalSignature'],
  },
];
const params = (over: Record<string, unknown> = {}) =>
  ({ pki_dir: 'pki', certificates: ENTRIES, default_signed_by: 'ExampleCorpIntermediate', ...over }) as never;

describe('pki_certificates', () => {
  it('issues certificates OSA style, verifiable with their bundle, then plans nothing', async () => {
    const first = await h.run(pkiCertificates, params());
    expect(first.failed).toBeUndefined();
    expect(writtenPaths(first).map((p) => path.relative(certs(), p))).toEqual(
      ENTRIES.flatMap((e) => [
        `private/${e.name}.key.pem`,
        `certs/${e.name}.crt`,
        `certs/${e.name}-chain.crt`,
        `certs/${e.name}-ca_bundle.crt`,
      ]),
    );
    for (const e of ENTRIES) {
      const v = await openssl([
        'verify',
        '-CAfile',
        rootCrt(),
        '-untrusted',
        path.join(certs(), `certs/${e.name}-ca_bundle.crt`),
        crt(e.name),
      ]);
      expect(v.stdout.trim()).toBe(`${crt(e.name)}: OK`);
      expect((await fs.stat(key(e.name))).mode & 0o777).toBe(0o600);
      const chain = await fs.readFile(path.join(certs(), `certs/${e.name}-chain.crt`), 'utf8');
      expect(chain).toBe(
        (await fs.readFile(crt(e.name), 'utf8')) +
          (await fs.readFile(path.join(intDir(), 'ExampleCorpIntermediate.crt'), 'utf8')),
      );
    }
    const text = (await openssl(['x509', '-in', crt('rabbitmq_infra1'), '-noout', '-text'])).stdout;
    expect(text).toContain('TLS Web Server Authentication, TLS Web Client Authentication');
    expect(text).toMatch(/DNS:infra1, IP Address:10.0.0.11/);
    expect(text).toContain('ecdsa-with-SHA384');
    const keyStep = allSteps(first).find((s) => s.kind === 'write' && s.path === key('haproxy_infra1'));
    expect(keyStep).toMatchObject({ sensitive: true, mode: 0o600, before: null });
    expect(first.result?.certificates).toMatchObject({
      haproxy_infra1: { action: 'created', reason: 'does not exist' },
    });

    const again = await h.run(pkiCertificates, params());
    expect(allSteps(again)).toEqual([]);
  });

  it('reissues exactly the certificate a regen flag names, with a new key', async () => {
    await h.run(pkiCertificates, params());
    const before = await Promise.all(ENTRIES.map((e) => serialOf(e.name)));
    const keyBefore = await fs.readFile(key('rabbitmq_infra1'));
    const plan = await h.run(
      pkiCertificates,
      params({ regen_cert: 'rabbitmq_infra1', regen_flag_name: 'rabbitmq_pki_regen_cert' }),
    );
    expect(plan.result?.certificates).toMatchObject({
      rabbitmq_infra1: {
        action: 'reissued',
        reason: 'regeneration requested (rabbitmq_pki_regen_cert: rabbitmq_infra1)',
      },
      haproxy_infra1: { action: 'kept' },
    });
    const after = await Promise.all(ENTRIES.map((e) => serialOf(e.name)));
    expect(after[0]).toBe(before[0]);
    expect(after[1]).not.toBe(before[1]);
    expect(after[2]).toBe(before[2]);
    expect(await fs.readFile(key('rabbitmq_infra1'))).not.toEqual(keyBefore);
    expect(plan.warnings).toEqual([]);
    expect(allSteps(await h.run(pkiCertificates, params()))).toEqual([]);
  });

  it('warns that regen_cert: true reissues on every run', async () => {
    await h.run(pkiCertificates, params());
    const before = await Promise.all(ENTRIES.map((e) => serialOf(e.name)));
    const plan = await h.run(
      pkiCertificates,
      params({ regen_cert: 'true', regen_flag_name: 'user_pki_regen_cert' }),
    );
    expect(plan.warnings?.[0]).toMatch(
      /^user_pki_regen_cert is true: every certificate of this task gets a new key/,
    );
    const after = await Promise.all(ENTRIES.map((e) => serialOf(e.name)));
    for (const [i, s] of after.entries()) expect(s).not.toBe(before[i]);
  });

  it('reissues on a SAN change and says so, in check mode without writing', async () => {
    await h.run(pkiCertificates, params());
    const changed = ENTRIES.map((e) =>
      e.name === 'haproxy_infra1'
        ? { ...e, san: { dns: ['infra1', 'infra1.example.com'], ip: ['10.0.0.11'] } }
        : e,
    );
    const serial = await serialOf('haproxy_infra1');
    const check = await h.run(pkiCertificates, params({ certificates: changed }), {}, { check: true });
    expect(allSteps(check).map((s) => s.why)).toEqual([
      'would reissue haproxy_infra1: SAN changed (+DNS:infra1.example.com)',
      'would rebuild chain of haproxy_infra1',
    ]);
    expect(await serialOf('haproxy_infra1')).toBe(serial);
    const key0 = await fs.readFile(key('haproxy_infra1'));
    await h.run(pkiCertificates, params({ certificates: changed }));
    expect(await serialOf('haproxy_infra1')).not.toBe(serial);
    expect(await fs.readFile(key('haproxy_infra1'))).toEqual(key0);
    const san = parseCertificate(await fs.readFile(crt('haproxy_infra1')), 'x').san?.map((s) => s.value);
    expect(san).toEqual(['infra1', 'infra1.example.com', '10.0.0.11']);
  });

  it('reissues on a usage change', async () => {
    await h.run(pkiCertificates, params());
    const changed = ENTRIES.map((e) =>
      e.name === 'neutron_ovn_infra1' ? { ...e, extended_key_usage: ['serverAuth', 'clientAuth'] } : e,
    );
    const plan = await h.run(pkiCertificates, params({ certificates: changed }));
    expect(plan.result?.certificates).toMatchObject({
      neutron_ovn_infra1: {
        action: 'reissued',
        reason: 'extended key usage changed (none -> serverAuth,clientAuth)',
      },
      haproxy_infra1: { action: 'kept' },
      rabbitmq_infra1: { action: 'kept' },
    });
  });

  it('renews what expires within renew_before, by the injected clock', async () => {
    const t0 = new Date();
    const short = ENTRIES.map((e) => ({ ...e, ttl: '30d' }));
    await h.run(pkiCertificates, params({ certificates: short }), {}, { now: t0 });
    expect(
      allSteps(
        await h.run(
          pkiCertificates,
          params({ certificates: short }),
          {},
          { now: new Date(t0.getTime() + 19 * DAY) },
        ),
      ),
    ).toEqual([]);
    const plan = await h.run(
      pkiCertificates,
      params({ certificates: short, renew_before: '12d' }),
      {},
      { now: new Date(t0.getTime() + 19 * DAY) },
    );
    const reasons = Object.values(plan.result?.certificates as Record<string, { reason: string }>).map(
      (c) => c.reason,
    );
    expect(reasons.every((r) => /^expires on .*, within the renewal window \(12d\)$/.test(r))).toBe(true);
  });

  it('reissues a certificate whose key file was replaced, for the key that is there', async () => {
    await h.run(pkiCertificates, params());
    const other = await generateKey({ type: 'ec', curve: 'P-384' });
    await fs.writeFile(key('haproxy_infra1'), exportPrivateKey(other.privateKey), { mode: 0o600 });
    const plan = await h.run(pkiCertificates, params());
    expect(plan.result?.certificates).toMatchObject({
      haproxy_infra1: { action: 'reissued', reason: 'certificate does not match its private key' },
    });
    const mod = await openssl(['x509', '-in', crt('haproxy_infra1'), '-noout', '-pubkey']);
    const pub = await openssl(['pkey', '-in', key('haproxy_infra1'), '-pubout']);
    expect(mod.stdout).toBe(pub.stdout);
  });

  it('reissues what no longer chains to its CA (an old certificate restored after the CA was regenerated)', async () => {
    await h.run(pkiCertificates, params());
    const old = await fs.readFile(crt('haproxy_infra1'));
    const regen = await h.run(pkiAuthorities, {
      pki_dir: 'pki',
      authorities: OSA_AUTHORITIES,
      regen_ca: 'ExampleCorpIntermediate',
    } as never);
    expect(regen.result?.resigned).toEqual(['haproxy_infra1', 'neutron_ovn_infra1', 'rabbitmq_infra1']);
    await fs.writeFile(crt('haproxy_infra1'), old);
    const plan = await h.run(pkiCertificates, params());
    expect(plan.result?.certificates).toMatchObject({
      haproxy_infra1: { action: 'reissued', reason: 'not signed by the current ExampleCorpIntermediate' },
      rabbitmq_infra1: { action: 'kept' },
      neutron_ovn_infra1: { action: 'kept' },
    });
    const v = await openssl([
      'verify',
      '-CAfile',
      rootCrt(),
      '-untrusted',
      path.join(intDir(), 'ExampleCorpIntermediate.crt'),
      crt('haproxy_infra1'),
    ]);
    expect(v.stdout).toContain(': OK');
  });

  it('reads user_pki_certificates_* variables and drops entries whose condition is false', async () => {
    const plan = await h.run(
      pkiCertificates,
      params({ certificates: [], search_pattern: 'user_pki_certificates_' }),
      {
        user_pki_certificates_web: [{ name: 'web', cn: 'web.example.com', condition: true }],
        user_pki_certificates_off: [{ name: 'off', cn: 'off.example.com', condition: 'False' }],
        pki_certificates_ignored: [{ name: 'ignored', cn: 'x' }],
      },
    );
    expect(Object.keys(plan.result?.certificates as object)).toEqual(['web']);
    const text = (await openssl(['x509', '-in', crt('web'), '-noout', '-ext', 'subjectAltName'])).stdout;
    expect(text).toContain('DNS:web.example.com');
  });

  it('refuses duplicate names with different settings', async () => {
    await expect(
      pkiCertificates.plan(params({ certificates: [ENTRIES[0], { ...ENTRIES[0], cn: 'other' }] }), h.ctx()),
    ).rejects.toThrow(/certificate haproxy_infra1: the name haproxy_infra1 is defined twice/);
  });

  it('fails when the CA does not exist, and in check mode says it would issue once the CA exists', async () => {
    const entries = [{ name: 'x', cn: 'x', signed_by: 'NoSuchCA' }];
    const plan = await pkiCertificates.plan(params({ certificates: entries }), h.ctx());
    expect(plan.failed).toMatch(/^CA NoSuchCA does not exist under .*: create it first/);
    expect(allSteps(plan)).toEqual([]);
    const check = await pkiCertificates.plan(params({ certificates: entries }), h.ctx({}, { check: true }));
    expect(check.failed).toBeUndefined();
    expect(allSteps(check).map((s) => s.why)).toContain(
      'would issue x (CA NoSuchCA does not exist yet: it is created first)',
    );
  });

  it('encrypts a certificate key with its key_passphrase', async () => {
    const entries = [{ ...ENTRIES[0], key_passphrase: 'leafpass-9' }];
    await h.run(pkiCertificates, params({ certificates: entries }));
    expect(await fs.readFile(key('haproxy_infra1'), 'utf8')).toMatch(
      /^-----BEGIN ENCRYPTED PRIVATE KEY-----/,
    );
    expect(h.secrets).toContain('leafpass-9');
    expect(allSteps(await h.run(pkiCertificates, params({ certificates: entries })))).toEqual([]);
  });

  it('plans root + intermediate + 150 ECDSA certificates in well under a second of work', async () => {
    const many = Array.from({ length: 150 }, (_, i) => ({
      name: `svc_${i}`,
      cn: `host${i}`,
      san: { dns: [`host${i}`], ip: [`10.1.${i >> 8}.${i & 255}`] },
    }));
    const h2 = await harness();
    try {
      const t0 = performance.now();
      const ca = await h2.run(pkiAuthorities, { pki_dir: 'pki', authorities: OSA_AUTHORITIES } as never);
      const tCa = performance.now();
      const plan = await pkiCertificates.plan(
        { pki_dir: 'pki', certificates: many, default_signed_by: 'ExampleCorpIntermediate' } as never,
        h2.ctx(),
      );
      const planned = performance.now();
      expect(ca.failed).toBeUndefined();
      expect(writtenPaths(plan)).toHaveLength(600);
      // Generous bound for a shared 2-core machine; typically ~0.1 s + ~0.35 s.
      expect(planned - t0).toBeLessThan(2000);
      expect(tCa - t0).toBeLessThan(1000);
    } finally {
      await h2.cleanup();
    }
  });
});

describe('user-provided certificates', () => {
  it('imports a valid one under certs/ and refuses a bad one without writing', async () => {
    const d = h.dir;
    const run = (args: string[]) => openssl(args);
    await run([
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${d}/uca.key`,
      '-out',
      `${d}/uca.crt`,
      '-subj',
      '/CN=User CA',
      '-days',
      '30',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=keyCertSign',
    ]);
    await run([
      'req',
      '-new',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-nodes',
      '-keyout',
      `${d}/web.key`,
      '-out',
      `${d}/web.csr`,
      '-subj',
      '/CN=web',
    ]);
    await fs.writeFile(`${d}/ext`, 'subjectAltName=DNS:web.example.com\n');
    await run([
      'x509',
      '-req',
      '-in',
      `${d}/web.csr`,
      '-CA',
      `${d}/uca.crt`,
      '-CAkey',
      `${d}/uca.key`,
      '-CAcreateserial',
      '-days',
      '10',
      '-extfile',
      `${d}/ext`,
      '-out',
      `${d}/web.crt`,
    ]);
    const entry = { name: 'haproxy_user', src_cert: 'web.crt', src_key: 'web.key', src_ca: 'uca.crt' };
    const plan = await h.run(pkiCertificates, params({ certificates: [entry] }));
    expect(plan.failed).toBeUndefined();
    expect(plan.result?.certificates).toMatchObject({ haproxy_user: { action: 'imported' } });
    expect(await fs.readFile(path.join(certs(), 'certs/haproxy_user-ca_bundle.crt'), 'utf8')).toBe(
      await fs.readFile(`${d}/uca.crt`, 'utf8'),
    );
    expect(allSteps(await h.run(pkiCertificates, params({ certificates: [entry] })))).toEqual([]);

    const bad = { name: 'haproxy_bad', src_cert: 'web.crt', src_key: 'uca.key', src_ca: 'uca.crt' };
    const refused = await h.run(pkiCertificates, params({ certificates: [ENTRIES[0], bad] }));
    expect(refused.failed).toBe(
      `certificate haproxy_bad: user-provided certificate refused: ${d}/uca.key does not match the certificate in ${d}/web.crt`,
    );
    expect(allSteps(refused)).toEqual([]);
    await expect(fs.stat(crt('haproxy_infra1'))).rejects.toThrow();
  });
});
