import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { pkiAuthorities } from '../../../src/modules/pki/authorities.js';
import { pkiCertificates } from '../../../src/modules/pki/certificates.js';
import { pkiInstall } from '../../../src/modules/pki/install.js';
import { pkiInstallCa } from '../../../src/modules/pki/install-ca.js';
import { allSteps, type Harness, harness, OSA_AUTHORITIES } from './harness.js';

let h: Harness;
let target: string;
const owner = { owner: String(process.getuid?.() ?? 0), group: String(process.getgid?.() ?? 0) };

beforeEach(async () => {
  h = await harness();
  target = path.join(h.dir, 'target');
  await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: OSA_AUTHORITIES } as never);
  await h.run(pkiCertificates, {
    pki_dir: 'pki',
    certificates: [
      {
        name: 'rabbitmq_infra1',
        cn: 'infra1',
        san: { dns: ['infra1'] },
        signed_by: 'ExampleCorpIntermediate',
      },
    ],
  } as never);
});
afterEach(async () => {
  await h.cleanup();
});

const entries = () => [
  { name: 'rabbitmq_infra1', type: 'certificate_chain', dest: `${target}/rabbitmq/rabbitmq.pem` },
  { name: 'rabbitmq_infra1', type: 'private_key', dest: `${target}/rabbitmq/rabbitmq.key` },
  { name: 'rabbitmq_infra1', type: 'ca_bundle', dest: `${target}/rabbitmq/rabbitmq-ca.pem`, mode: '0640' },
];
const install = (certificates: unknown[], vars: Record<string, unknown> = {}, check = false) =>
  h.run(pkiInstall, { pki_dir: 'pki', certificates, ...owner } as never, vars, { check });

describe('pki_install', () => {
  it('pushes chain, key and bundle with their modes, then plans nothing', async () => {
    const plan = await install(entries());
    expect(plan.failed).toBeUndefined();
    expect(plan.controllerSteps).toBeUndefined();
    expect(
      plan.steps.map((s) => [s.kind, 'path' in s ? path.relative(target, s.path) : '']).slice(0, 4),
    ).toEqual([
      ['mkdir', 'rabbitmq'],
      ['write', 'rabbitmq/rabbitmq.pem'],
      ['write', 'rabbitmq/rabbitmq.key'],
      ['write', 'rabbitmq/rabbitmq-ca.pem'],
    ]);
    const keyStep = plan.steps.find((s) => s.kind === 'write' && s.path.endsWith('.key'));
    expect(keyStep).toMatchObject({ sensitive: true, mode: 0o600, before: null });
    const pki = path.join(h.dir, 'pki/certs');
    expect(await fs.readFile(`${target}/rabbitmq/rabbitmq.pem`)).toEqual(
      await fs.readFile(`${pki}/certs/rabbitmq_infra1-chain.crt`),
    );
    expect(await fs.readFile(`${target}/rabbitmq/rabbitmq.key`)).toEqual(
      await fs.readFile(`${pki}/private/rabbitmq_infra1.key.pem`),
    );
    expect((await fs.stat(`${target}/rabbitmq/rabbitmq-ca.pem`)).mode & 0o777).toBe(0o640);
    expect(allSteps(await install(entries()))).toEqual([]);
  });

  it('fixes a mode that drifted without rewriting, and rewrites changed content', async () => {
    await install(entries());
    await fs.chmod(`${target}/rabbitmq/rabbitmq.key`, 0o644);
    await fs.appendFile(`${target}/rabbitmq/rabbitmq.pem`, '\n');
    const plan = await install(entries());
    expect(plan.steps.map((s) => `${s.kind}: ${s.why}`)).toEqual([
      `write: update certificate chain rabbitmq_infra1 at ${target}/rabbitmq/rabbitmq.pem: content changed`,
      `attributes: fix private key rabbitmq_infra1 at ${target}/rabbitmq/rabbitmq.key: mode 0644 -> 0600`,
    ]);
    expect(allSteps(await install(entries()))).toEqual([]);
  });

  it('takes entries from pki_install_certificates_* variables and skips false conditions', async () => {
    const plan = await install([], {
      pki_install_certificates_rabbit: [entries()[0]],
      pki_install_certificates_off: [{ ...entries()[1], condition: false }],
    });
    expect(plan.result).toEqual({ installed: [`${target}/rabbitmq/rabbitmq.pem`] });
  });

  it('never installs a CA private key', async () => {
    const src = path.join(h.dir, 'pki/roots/ExampleCorpRoot/private/ExampleCorpRoot.key.pem');
    await expect(
      pkiInstall.plan(
        { pki_dir: 'pki', certificates: [{ src, type: 'private_key', dest: `${target}/x.key` }] } as never,
        h.ctx(),
      ),
    ).rejects.toThrow(/is a CA private key; CA keys are never installed on hosts/);
  });

  it('refuses a key file readable by others', async () => {
    const plan = await install([{ ...entries()[1], mode: '0644' }]);
    expect(plan.failed).toMatch(/must not be accessible to others/);
    expect(plan.steps).toEqual([]);
  });

  it('validates user-provided files before writing anything', async () => {
    const pki = path.join(h.dir, 'pki/certs');
    const good = [
      {
        name: 'haproxy',
        src: `${pki}/certs/rabbitmq_infra1.crt`,
        type: 'certificate',
        dest: `${target}/haproxy/h.crt`,
      },
      {
        name: 'haproxy',
        src: `${pki}/private/rabbitmq_infra1.key.pem`,
        type: 'private_key',
        dest: `${target}/haproxy/h.key`,
      },
    ];
    expect((await install(good)).failed).toBeUndefined();
    const mismatched = [
      good[0],
      { ...good[1], src: path.join(h.dir, 'pki/roots/../certs/private/nothing.key') },
    ];
    expect((await install(mismatched)).failed).toMatch(/src .*nothing.key does not exist/);
    const other = path.join(h.dir, 'other.key');
    await fs.copyFile(
      path.join(h.dir, 'pki/roots/ExampleCorpIntermediate/private/ExampleCorpIntermediate.key.pem'),
      other,
    );
    const plan = await install([
      { ...good[0], dest: `${target}/x/h.crt` },
      { ...good[1], src: other, dest: `${target}/x/h.key` },
    ]);
    expect(plan.failed).toBe(
      `user-provided certificate refused: ${other} does not match the certificate in ${pki}/certs/rabbitmq_infra1.crt`,
    );
    expect(plan.steps).toEqual([]);
    await expect(fs.stat(`${target}/x`)).rejects.toThrow();
  });

  it('fails when a generated source is missing, but plans it in check mode', async () => {
    const e = [{ name: 'not_generated', type: 'certificate', dest: `${target}/n.crt` }];
    expect((await install(e)).failed).toMatch(
      /not_generated.crt does not exist \(generate the certificate first\)/,
    );
    const check = await install(e, {}, true);
    expect(check.steps.map((s) => s.why)).toContain(
      `would install certificate not_generated at ${target}/n.crt (it is generated by an earlier task)`,
    );
  });
});

describe('pki_install_ca', () => {
  it('puts the root into the trust store and refreshes it once, only when it changed', async () => {
    const store = path.join(h.dir, 'store');
    await fs.mkdir(store);
    const marker = path.join(h.dir, 'refreshed');
    const params = {
      pki_dir: 'pki',
      cas: [{ name: 'ExampleCorpRoot' }],
      store_dir: store,
      update_command: `echo x >> ${marker}`,
    };
    const plan = await h.run(pkiInstallCa, params as never);
    expect(plan.steps.map((s) => s.kind)).toEqual(['write', 'exec']);
    expect(await fs.readFile(path.join(store, 'ExampleCorpRoot.crt'))).toEqual(
      await fs.readFile(path.join(h.dir, 'pki/roots/ExampleCorpRoot/certs/ExampleCorpRoot.crt')),
    );
    expect(await fs.readFile(marker, 'utf8')).toBe('x\n');
    expect(allSteps(await h.run(pkiInstallCa, params as never))).toEqual([]);
  });

  it('refuses a certificate that is not a CA', async () => {
    const store = path.join(h.dir, 'store');
    await fs.mkdir(store);
    const src = path.join(h.dir, 'pki/certs/certs/rabbitmq_infra1.crt');
    const plan = await h.run(pkiInstallCa, {
      pki_dir: 'pki',
      cas: [{ src, filename: 'x.crt' }],
      store_dir: store,
    } as never);
    expect(plan.failed).toBe(`CA entry ${src}: ${src} is not a CA certificate`);
    expect(plan.steps).toEqual([]);
  });
});
