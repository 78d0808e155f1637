/**
 * Stage 2 of a CA rotation: the staged CAs become the current ones. The old certificate and key
 * are backed up first (OSA's `<file>.<date>~` naming) and never deleted; the trust bundle stays,
 * so every leaf, old or new, keeps verifying until the rotation's last stage. A CA that is
 * already promoted is left alone, so the stage can be resumed.
 */
import { OvnctlError } from '../../errors.js';
import { isSelfSigned, parseCertificate } from '../../pki/inspect.js';
import { caPaths } from '../../pki/layout.js';
import type { CaSpec } from '../pki/authority-entries.js';
import {
  backups,
  type Ctx,
  readOnDisk,
  symlinkCommand,
  symlinkTemp,
  writeCert,
} from '../pki/authority-files.js';
import { pathsOf, readStaged, type StageCtx } from './rotation-common.js';

export interface PromoteResult {
  promoted: string[];
  already: string[];
}

export async function promote(
  c: StageCtx,
  tree: readonly CaSpec[],
  oldSerials: Readonly<Record<string, string>>,
  adoptedFrom: string | undefined,
): Promise<PromoteResult> {
  const result: PromoteResult = { promoted: [], already: [] };
  const rotated = tree[0] as CaSpec;
  const ctx: Ctx = {
    ctx: c.ctx,
    pkiDir: c.pkiDir,
    steps: c.steps,
    settings: c.settings,
    now: c.now,
    regen: undefined,
    regenFlag: 'ovnctl certificates regenerate-ca',
    warnings: c.warnings,
    defaultTtl: '',
  };
  for (const spec of tree) {
    const paths = caPaths(c.pkiDir, spec.name);
    const r = pathsOf(c, spec.name);
    const disk = await readOnDisk(c.ctx, c.pkiDir, spec.name);
    const current = disk.cert ? parseCertificate(disk.cert, paths.cert) : null;
    const staged = await readStaged(c, spec);
    const expected = oldSerials[spec.name];
    if (!staged) {
      if (current && expected && current.serial !== expected) {
        result.already.push(spec.name);
        continue;
      }
      throw new OvnctlError('invalid-input', `no staged next CA for ${spec.name} under ${r.nextDir}`, {
        hint: 'the rotation must be prepared first (ovnctl certificates regenerate-ca resumes it)',
      });
    }
    if (current?.der.equals(staged.cert.der)) {
      c.steps.steps.push({
        kind: 'remove',
        path: r.nextDir,
        why: `${spec.name} is promoted: remove ${r.nextDir}`,
      });
      result.already.push(spec.name);
      continue;
    }
    if (current && expected && current.serial !== expected) {
      throw new OvnctlError(
        'invalid-input',
        `CA ${spec.name} changed since the rotation started (serial ${current.serial}, expected ${expected}): refusing to promote`,
        { hint: 'something else replaced the CA; check the PKI store, then start the rotation again' },
      );
    }
    await backups(spec, paths, disk, true, ctx);
    c.steps.write(
      paths.key,
      staged.keyBytes,
      null,
      c.settings.keyMode,
      true,
      `promote the new private key of CA ${spec.name}`,
    );
    writeCert(spec, paths, staged.certBytes, disk, ctx, `promote the new certificate of CA ${spec.name}`);
    const why = `rebuild the chain of CA ${spec.name}`;
    if (isSelfSigned(staged.cert) && staged.chainBytes.equals(staged.certBytes))
      c.steps.exec(symlinkCommand(`${spec.name}.crt`, paths.chain), why, [symlinkTemp(paths.chain)]);
    else c.steps.write(paths.chain, staged.chainBytes, disk.chain, c.settings.certMode, false, why);
    if (spec === rotated && adoptedFrom !== undefined) {
      const marker = JSON.stringify({
        adopted: c.now.toISOString(),
        source: adoptedFrom,
        serial: staged.cert.serial,
      });
      c.steps.write(
        r.userMarker,
        Buffer.from(`${marker}\n`),
        disk.userMarker,
        c.settings.certMode,
        false,
        `mark CA ${spec.name} as user-provided (never renewed)`,
      );
    } else if (disk.userMarker) {
      c.steps.steps.push({
        kind: 'remove',
        path: r.userMarker,
        why: `CA ${spec.name} is generated again: no longer user-provided`,
      });
    }
    c.steps.steps.push({
      kind: 'remove',
      path: r.nextDir,
      why: `${spec.name} is promoted: remove ${r.nextDir}`,
    });
    result.promoted.push(spec.name);
  }
  return result;
}
