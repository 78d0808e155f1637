/** The PKI-store side of `regenerate-ca --abort`: staged CA and trust bundle go, the current CA stays. */
import fs from 'node:fs/promises';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caRotationModule } from '../../../src/modules/lifecycle/ca-rotation.js';
import { pkiAuthorities } from '../../../src/modules/pki/authorities.js';
import { pkiCertificates } from '../../../src/modules/pki/certificates.js';
import { parseCertificates } from '../../../src/pki/inspect.js';
import { allSteps, type Harness, harness, OSA_AUTHORITIES } from '../pki/harness.js';
import { newSerials, oldSerials, rotationOf } from './rotation-result.js';

let h: Harness;
const ROOT = 'ExampleCorpRoot';
const INT = 'ExampleCorpIntermediate';
const roots = (...p: string[]) => path.join(h.dir, 'pki', 'roots', ...p);
const rotation = (stage: string, extra: Record<string, unknown> = {}) =>
  ({ pki_dir: 'pki', stage, authorities: OSA_AUTHORITIES, ...extra }) as never;
const LEAF = [{ name: 'svc_host1', cn: 'host1', san: { dns: ['host1'] }, signed_by: INT }];
const bundleFile = () => path.join(h.dir, 'pki', 'certs', 'certs', 'svc_host1-ca_bundle.crt');
const serialsIn = async (file: string) =>
  parseCertificates(await fs.readFile(file), file).map((c) => c.serial);

/** Every file of the PKI store with its bytes: what "untouched" is checked against. */
async function snapshot(): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  const walk = async (dir: string): Promise<void> => {
    for (const e of await fs.readdir(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) await walk(p);
      else out[path.relative(h.dir, p)] = (await fs.readFile(p)).toString('base64');
    }
  };
  await walk(path.join(h.dir, 'pki'));
  return out;
}

beforeEach(async () => {
  h = await harness();
  await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: OSA_AUTHORITIES } as never);
  await h.run(pkiCertificates, { pki_dir: 'pki', certificates: LEAF } as never);
});
afterEach(async () => {
  await h.cleanup();
});

describe('ca_rotation stage abort', () => {
  it('removes the staged next CAs and the trust bundles, nothing else; leaves get the old bundle back', async () => {
    const oldBundle = await serialsIn(bundleFile());
    const prep = await h.run(caRotationModule, rotation('prepare', { ca: ROOT }));
    // Stage 1 as the hosts see it: the leaf's bundle now holds the new CAs too.
    await h.run(pkiCertificates, { pki_dir: 'pki', certificates: LEAF } as never);
    expect((await serialsIn(bundleFile())).length).toBe(4);
    const before = await snapshot();

    // Check mode: the same steps are planned, worded as what would happen, and nothing is removed.
    const checked = await h.run(
      caRotationModule,
      rotation('abort', { ca: ROOT, new_serials: newSerials(prep) }),
      {},
      { check: true },
    );
    expect(checked.failed).toBeUndefined();
    expect(checked.controllerSteps?.every((s) => s.why.startsWith('would '))).toBe(true);
    expect(await snapshot()).toEqual(before);

    const plan = await h.run(
      caRotationModule,
      rotation('abort', { ca: ROOT, new_serials: newSerials(prep) }),
    );
    expect(plan.failed).toBeUndefined();
    expect(plan.steps).toEqual([]);
    expect(plan.controllerSteps?.map((s) => [s.kind, s.kind === 'remove' ? s.path : ''])).toEqual([
      ['remove', roots(ROOT, 'next')],
      ['remove', roots(ROOT, 'certs', `${ROOT}-trust.crt`)],
      ['remove', roots(INT, 'next')],
      ['remove', roots(INT, 'certs', `${INT}-trust.crt`)],
    ]);
    expect(rotationOf(plan)).toMatchObject({ ca: ROOT, cas: [ROOT, INT] });
    expect(plan.result?.rotation).toMatchObject({ removed: [ROOT, INT], promoted: [] });

    // Exactly the staged and trust files are gone: the current CAs and everything else are byte-identical.
    const gone = (p: string) => p.includes(`${path.sep}next${path.sep}`) || p.endsWith('-trust.crt');
    const expected = Object.fromEntries(Object.entries(before).filter(([p]) => !gone(p)));
    expect(Object.keys(before).filter(gone)).toHaveLength(8);
    expect(await snapshot()).toEqual(expected);

    // The services' playbooks then hand out the old chain only.
    await h.run(pkiCertificates, { pki_dir: 'pki', certificates: LEAF } as never);
    expect(await serialsIn(bundleFile())).toEqual(oldBundle);

    // Resumed: nothing is left to remove, the stage succeeds without a step.
    const again = await h.run(
      caRotationModule,
      rotation('abort', { ca: ROOT, new_serials: newSerials(prep) }),
    );
    expect(again.failed).toBeUndefined();
    expect(allSteps(again)).toEqual([]);
  });

  it('refuses once the rotation is promoted, and removes nothing', async () => {
    const prep = await h.run(caRotationModule, rotation('prepare', { ca: ROOT }));
    await h.run(caRotationModule, rotation('promote', { ca: ROOT, old_serials: oldSerials(prep) }));
    const before = await snapshot();
    const plan = await h.run(
      caRotationModule,
      rotation('abort', { ca: ROOT, new_serials: newSerials(prep) }),
    );
    expect(plan.failed).toMatch(/cannot abort: ExampleCorpRoot, ExampleCorpIntermediate already promoted/);
    expect(allSteps(plan)).toEqual([]);
    expect(plan.result?.rotation).toMatchObject({ promoted: [ROOT, INT] });
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a promote that stopped halfway (current = staged for one CA) and keeps the other staged CA', async () => {
    const prep = await h.run(caRotationModule, rotation('prepare', { ca: ROOT }));
    // As if promote wrote the new root certificate and stopped before removing next/.
    await fs.copyFile(roots(ROOT, 'next', `${ROOT}.crt`), roots(ROOT, 'certs', `${ROOT}.crt`));
    const before = await snapshot();
    const plan = await h.run(
      caRotationModule,
      rotation('abort', { ca: ROOT, new_serials: newSerials(prep) }),
    );
    expect(plan.failed).toMatch(/cannot abort: ExampleCorpRoot already promoted/);
    expect(plan.result?.rotation).toMatchObject({ promoted: [ROOT] });
    expect(allSteps(plan)).toEqual([]);
    expect(await snapshot()).toEqual(before);
  });
});
