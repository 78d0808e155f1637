/** The PKI-store side of a CA rotation: staged material, trust bundles, promotion with backups, adopted CAs. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caRotationModule } from '../../../src/modules/lifecycle/ca-rotation.js';
import { pkiAuthorities } from '../../../src/modules/pki/authorities.js';
import { pkiCertificates } from '../../../src/modules/pki/certificates.js';
import { isIssuedBy, parseCertificate, parseCertificates } from '../../../src/pki/inspect.js';
import { type Harness, harness, OSA_AUTHORITIES, writtenPaths } from '../pki/harness.js';
import { oldSerials, rotationOf } from './rotation-result.js';

let h: Harness;
const ROOT = 'ExampleCorpRoot';
const INT = 'ExampleCorpIntermediate';
const roots = (...p: string[]) => path.join(h.dir, 'pki', 'roots', ...p);
const read = (p: string) => fs.readFile(p);
const cert = async (p: string) => parseCertificate(await read(p), p);
const exists = (p: string) =>
  fs.stat(p).then(
    () => true,
    () => false,
  );
const rotation = (stage: string, extra: Record<string, unknown> = {}) =>
  ({ pki_dir: 'pki', stage, authorities: OSA_AUTHORITIES, ...extra }) as never;
const LEAF = [{ name: 'svc_host1', cn: 'host1', san: { dns: ['host1'] }, signed_by: INT }];

beforeEach(async () => {
  h = await harness();
  await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: OSA_AUTHORITIES } as never);
  await h.run(pkiCertificates, { pki_dir: 'pki', certificates: LEAF } as never);
});
afterEach(async () => {
  await h.cleanup();
});

describe('ca_rotation', () => {
  it('prepare stages a new root and intermediate next to the current ones and writes old+new trust bundles', async () => {
    const oldRoot = await cert(roots(ROOT, 'certs', `${ROOT}.crt`));
    const plan = await h.run(caRotationModule, rotation('prepare', { default_signed_by: INT }));
    expect(plan.failed).toBeUndefined();
    const r = plan.result?.rotation as { ca: string; cas: string[]; old: Record<string, { serial: string }> };
    expect(r.ca).toBe(ROOT);
    expect(r.cas).toEqual([ROOT, INT]);
    expect(r.old[ROOT]?.serial).toBe(oldRoot.serial);
    // The current CA is untouched; the next one is staged, its key private.
    expect((await cert(roots(ROOT, 'certs', `${ROOT}.crt`))).serial).toBe(oldRoot.serial);
    const nextRoot = await cert(roots(ROOT, 'next', `${ROOT}.crt`));
    const nextInt = await cert(roots(INT, 'next', `${INT}.crt`));
    expect(nextRoot.serial).not.toBe(oldRoot.serial);
    expect(isIssuedBy(nextRoot, nextRoot)).toBe(true);
    expect(isIssuedBy(nextInt, nextRoot)).toBe(true);
    expect((await fs.stat(roots(INT, 'next', `${INT}.key.pem`))).mode & 0o777).toBe(0o600);
    expect((await fs.stat(roots(INT, 'next'))).mode & 0o777).toBe(0o700);
    const trust = parseCertificates(await read(roots(INT, 'certs', `${INT}-trust.crt`)), 'trust').map(
      (c) => c.serial,
    );
    const oldInt = await cert(roots(INT, 'certs', `${INT}.crt`));
    expect(trust).toEqual([oldInt.serial, oldRoot.serial, nextInt.serial, nextRoot.serial]);
    expect(plan.result?.issued).toEqual([
      expect.objectContaining({
        kind: 'ca',
        name: ROOT,
        action: 'staged',
        serial: nextRoot.serial,
        user_provided: false,
      }),
      expect.objectContaining({ kind: 'ca', name: INT, action: 'staged', serial: nextInt.serial }),
    ]);

    // Resumed: the staged material is reused, nothing is written again.
    const again = await h.run(caRotationModule, rotation('prepare', { ca: ROOT }));
    expect(writtenPaths(again)).toEqual([]);
    expect((await cert(roots(ROOT, 'next', `${ROOT}.crt`))).serial).toBe(nextRoot.serial);
  });

  it('with the trust bundle in place, leaves keep their certificate and get the old+new bundle', async () => {
    const leaf = path.join(h.dir, 'pki', 'certs', 'certs', 'svc_host1.crt');
    const before = (await cert(leaf)).serial;
    await h.run(caRotationModule, rotation('prepare', { ca: ROOT }));
    const plan = await h.run(pkiCertificates, { pki_dir: 'pki', certificates: LEAF } as never);
    expect(writtenPaths(plan).map((p) => path.basename(p))).toEqual(['svc_host1-ca_bundle.crt']);
    expect((await cert(leaf)).serial).toBe(before);
    const bundle = await read(path.join(h.dir, 'pki', 'certs', 'certs', 'svc_host1-ca_bundle.crt'));
    expect(bundle.equals(await read(roots(INT, 'certs', `${INT}-trust.crt`)))).toBe(true);
  });

  it('promote backs up the old CA, makes the staged one current (leaves are then reissued); finish drops the bundle', async () => {
    const oldRootBytes = await read(roots(ROOT, 'certs', `${ROOT}.crt`));
    const oldKeyBytes = await read(roots(ROOT, 'private', `${ROOT}.key.pem`));
    const prep = await h.run(caRotationModule, rotation('prepare', { ca: ROOT }));
    const serials = oldSerials(prep);
    const nextRoot = await cert(roots(ROOT, 'next', `${ROOT}.crt`));
    const promoted = await h.run(caRotationModule, rotation('promote', { ca: ROOT, old_serials: serials }));
    expect(promoted.failed).toBeUndefined();
    expect(promoted.result?.rotation).toMatchObject({ promoted: [ROOT, INT], already: [] });
    expect((await cert(roots(ROOT, 'certs', `${ROOT}.crt`))).serial).toBe(nextRoot.serial);
    expect(await exists(roots(ROOT, 'next'))).toBe(false);
    const backups = (await fs.readdir(roots(ROOT, 'certs'))).filter((f) => f.endsWith('~'));
    expect(backups).toHaveLength(1);
    expect((await read(roots(ROOT, 'certs', backups[0] as string))).equals(oldRootBytes)).toBe(true);
    const keyBackup = (await fs.readdir(roots(ROOT, 'private'))).find((f) => f.endsWith('~')) as string;
    expect((await read(roots(ROOT, 'private', keyBackup))).equals(oldKeyBytes)).toBe(true);
    // The chain of the new intermediate is the new intermediate then the new root.
    const chain = parseCertificates(await read(roots(INT, 'certs', `${INT}-chain.crt`)), 'chain');
    expect(chain.map((c) => c.serial)).toEqual([
      (await cert(roots(INT, 'certs', `${INT}.crt`))).serial,
      nextRoot.serial,
    ]);
    // pki_authorities keeps the promoted CAs as they are.
    const keep = await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: OSA_AUTHORITIES } as never);
    expect(writtenPaths(keep)).toEqual([]);
    // Promote again: already done, nothing written.
    const twice = await h.run(caRotationModule, rotation('promote', { ca: ROOT, old_serials: serials }));
    expect(twice.result?.rotation).toMatchObject({ promoted: [], already: [ROOT, INT] });
    // The leaf is reissued from the new intermediate, its bundle still old+new.
    const reissue = await h.run(pkiCertificates, { pki_dir: 'pki', certificates: LEAF } as never);
    expect(reissue.result?.issued).toEqual([
      expect.objectContaining({
        name: 'svc_host1',
        action: 'reissued',
        reason: `not signed by the current ${INT}`,
      }),
    ]);
    const leaf = await cert(path.join(h.dir, 'pki', 'certs', 'certs', 'svc_host1.crt'));
    expect(isIssuedBy(leaf, await cert(roots(INT, 'certs', `${INT}.crt`)))).toBe(true);
    const finish = await h.run(caRotationModule, rotation('finish', { ca: ROOT }));
    expect(finish.controllerSteps?.map((s) => s.kind === 'remove' && path.basename(s.path))).toEqual([
      `${ROOT}-trust.crt`,
      `${INT}-trust.crt`,
    ]);
    const after = await h.run(pkiCertificates, { pki_dir: 'pki', certificates: LEAF } as never);
    expect(writtenPaths(after).map((p) => path.basename(p))).toEqual(['svc_host1-ca_bundle.crt']);
    const bundle = parseCertificates(
      await read(path.join(h.dir, 'pki', 'certs', 'certs', 'svc_host1-ca_bundle.crt')),
      'b',
    );
    expect(bundle.map((c) => c.serial)).toEqual(chain.map((c) => c.serial));
  });

  it('promote refuses a CA that changed since the rotation started', async () => {
    await h.run(caRotationModule, rotation('prepare', { ca: INT }));
    const plan = await h.run(
      caRotationModule,
      rotation('promote', { ca: INT, old_serials: { [INT]: 'abcdef' } }),
    );
    expect(plan.failed).toMatch(
      /CA ExampleCorpIntermediate changed since the rotation started .*refusing to promote/,
    );
    expect(plan.controllerSteps ?? []).toEqual([]);
  });

  it('rotating the intermediate alone keeps the root and signs the next intermediate with it', async () => {
    const plan = await h.run(caRotationModule, rotation('prepare', { ca: INT }));
    expect(rotationOf(plan).cas).toEqual([INT]);
    const root = await cert(roots(ROOT, 'certs', `${ROOT}.crt`));
    expect(isIssuedBy(await cert(roots(INT, 'next', `${INT}.crt`)), root)).toBe(true);
    expect(await exists(roots(ROOT, 'next'))).toBe(false);
  });

  it('set-ca: a user CA is validated (a foreign key is refused), staged, and once promoted marked and kept as it is', async () => {
    const ca = path.join(h.dir, 'user.crt');
    const key = path.join(h.dir, 'user.key');
    const other = path.join(h.dir, 'other.key');
    for (const k of [key, other])
      execFileSync('openssl', [
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-out',
        k,
      ]);
    execFileSync('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-out',
      ca,
      '-days',
      '5',
      '-subj',
      '/O=Corp/CN=Corp CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const refused = await h.run(
      caRotationModule,
      rotation('prepare', { ca: ROOT, user_cert: ca, user_key: other }),
    );
    expect(refused.failed).toMatch(/^user-provided CA refused: the private key does not match/);
    expect(await exists(roots(ROOT, 'next'))).toBe(false);

    const prep = await h.run(
      caRotationModule,
      rotation('prepare', { ca: ROOT, user_cert: ca, user_key: key }),
    );
    expect(prep.result?.issued).toEqual([
      expect.objectContaining({ name: ROOT, user_provided: true, subject: '/O=Corp/CN=Corp CA' }),
      expect.objectContaining({ name: INT, user_provided: false }),
    ]);
    await h.run(
      caRotationModule,
      rotation('promote', {
        ca: ROOT,
        user_cert: ca,
        old_serials: oldSerials(prep),
      }),
    );
    expect(JSON.parse((await read(roots(ROOT, 'user-provided'))).toString())).toMatchObject({ source: ca });
    // The adopted CA has another subject than the entry and expires within 10 days: kept, with a warning.
    const plan = await h.run(pkiAuthorities, {
      pki_dir: 'pki',
      authorities: OSA_AUTHORITIES,
      regen_ca: ROOT,
    } as never);
    expect(writtenPaths(plan)).toEqual([]);
    expect(plan.result?.authorities).toMatchObject({ [ROOT]: { action: 'kept', user_provided: true } });
    expect(plan.warnings?.join('\n')).toMatch(
      /user-provided CA ExampleCorpRoot expires on .*never renews it/,
    );
    expect(plan.warnings?.join('\n')).toMatch(/ExampleCorpRoot is user-provided .*does not apply/);
    expect((await cert(roots(ROOT, 'certs', `${ROOT}.crt`))).subject.map((a) => a.value)).toEqual([
      'Corp',
      'Corp CA',
    ]);
  });
});
