/** What the lifecycle added to the PKI modules: rotation trust in trust stores, `issued` records. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caRotationModule } from '../../../src/modules/lifecycle/ca-rotation.js';
import { pkiAuthorities } from '../../../src/modules/pki/authorities.js';
import { pkiCertificates } from '../../../src/modules/pki/certificates.js';
import { pkiInstallCa } from '../../../src/modules/pki/install-ca.js';
import { parseCertificate } from '../../../src/pki/inspect.js';
import { type Harness, harness, OSA_AUTHORITIES } from '../pki/harness.js';
import { oldSerials } from './rotation-result.js';

let h: Harness;
const ROOT = 'ExampleCorpRoot';
const store = () => path.join(h.dir, 'trust');
const serial = async (f: string) => parseCertificate(await fs.readFile(f), f).serial;
const rootSerial = () => serial(path.join(h.dir, 'pki', 'roots', ROOT, 'certs', `${ROOT}.crt`));
const installCa = () =>
  h.run(pkiInstallCa, {
    pki_dir: 'pki',
    cas: [{ name: ROOT }],
    store_dir: store(),
    update_command: 'true',
  } as never);

beforeEach(async () => {
  h = await harness();
  await fs.mkdir(store());
  await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: OSA_AUTHORITIES } as never);
});
afterEach(async () => {
  await h.cleanup();
});

describe('lifecycle additions to the PKI modules', () => {
  it('pki_install_ca puts both roots in the trust store during a rotation, one per file, and removes the extra one after', async () => {
    await installCa();
    const old = await rootSerial();
    const prep = await h.run(caRotationModule, {
      pki_dir: 'pki',
      stage: 'prepare',
      ca: ROOT,
      authorities: OSA_AUTHORITIES,
    } as never);
    const during = await installCa();
    expect(during.steps.map((s) => s.kind)).toEqual(['write', 'exec']);
    expect((await fs.readdir(store())).sort()).toEqual([`${ROOT}-rotation-1.crt`, `${ROOT}.crt`]);
    const next = await serial(path.join(h.dir, 'pki', 'roots', ROOT, 'next', `${ROOT}.crt`));
    expect(await serial(path.join(store(), `${ROOT}-rotation-1.crt`))).toBe(next);
    await h.run(caRotationModule, {
      pki_dir: 'pki',
      stage: 'promote',
      ca: ROOT,
      authorities: OSA_AUTHORITIES,
      old_serials: oldSerials(prep),
    } as never);
    await installCa();
    expect(await serial(path.join(store(), `${ROOT}.crt`))).toBe(next);
    expect(await serial(path.join(store(), `${ROOT}-rotation-1.crt`))).toBe(old);
    await h.run(caRotationModule, {
      pki_dir: 'pki',
      stage: 'finish',
      ca: ROOT,
      authorities: OSA_AUTHORITIES,
    } as never);
    const after = await installCa();
    expect(after.steps.map((s) => `${s.kind} ${path.basename((s as { path?: string }).path ?? '')}`)).toEqual(
      [`remove ${ROOT}-rotation-1.crt`, 'exec '],
    );
    expect(await fs.readdir(store())).toEqual([`${ROOT}.crt`]);
    expect((await installCa()).steps).toEqual([]);
  });

  it('pki_authorities and pki_certificates report what they issued (never what they kept), for the security log', async () => {
    const leaves = [{ name: 'a', cn: 'a', signed_by: 'ExampleCorpIntermediate' }];
    const first = await h.run(pkiCertificates, { pki_dir: 'pki', certificates: leaves } as never);
    expect(first.result?.issued).toEqual([
      {
        kind: 'certificate',
        name: 'a',
        subject: '/CN=a',
        serial: await serial(path.join(h.dir, 'pki', 'certs', 'certs', 'a.crt')),
        not_after: expect.any(String),
        action: 'created',
        reason: 'does not exist',
        renewal: false,
        user_provided: false,
      },
    ]);
    expect(
      (await h.run(pkiCertificates, { pki_dir: 'pki', certificates: leaves } as never)).result?.issued,
    ).toEqual([]);
    const renewed = await h.run(pkiCertificates, {
      pki_dir: 'pki',
      certificates: leaves,
      renew_before: '800d',
    } as never);
    expect(renewed.result?.issued).toEqual([
      expect.objectContaining({ name: 'a', action: 'reissued', renewal: true }),
    ]);
    const regen = await h.run(pkiAuthorities, {
      pki_dir: 'pki',
      authorities: OSA_AUTHORITIES,
      regen_ca: 'ExampleCorpIntermediate',
    } as never);
    expect(
      ((regen.result?.issued ?? []) as { kind: string; name: string; action: string }[]).map((r) => [
        r.kind,
        r.name,
        r.action,
      ]),
    ).toEqual([
      ['ca', 'ExampleCorpIntermediate', 'regenerated'],
      ['certificate', 'a', 'resigned'],
    ]);
  });
});
