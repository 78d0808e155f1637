/**
 * Abandoning a CA rotation before its promote stage (`ovnctl certificates regenerate-ca --abort`):
 * the staged next CAs and the old+new trust bundles go, so the services' playbooks hand every host
 * bundles with the current (old) CA only. The current CA files and every backup are never touched.
 * A CA that was promoted already is refused: leaves may have been reissued from it, so removing the
 * trust bundle could cut them off; the only safe way out is forward.
 */
import { parseCertificate } from '../../pki/inspect.js';
import { caPaths } from '../../pki/layout.js';
import type { CaSpec } from '../pki/authority-entries.js';
import { pathsOf, type StageCtx } from './rotation-common.js';

export interface AbortResult {
  /** CAs whose staged material or trust bundle is removed. */
  removed: string[];
  /** CAs that are promoted already: when any, nothing is removed and the stage fails. */
  promoted: string[];
}

async function certAt(c: StageCtx, file: string): Promise<ReturnType<typeof parseCertificate> | null> {
  const data = await c.ctx.controller.read(file);
  if (!data) return null;
  try {
    return parseCertificate(data, file);
  } catch {
    // An unreadable staged certificate is debris of an interrupted prepare: it is removed all the same.
    return null;
  }
}

/**
 * Promoted: the current certificate is the staged one, or (promote removes next/ last, and a
 * resumed abort finds it gone) it has the serial prepare staged. A current CA that is neither is
 * not this rotation's business: abort never touches it.
 */
async function isPromoted(c: StageCtx, spec: CaSpec, newSerial: string | undefined): Promise<boolean> {
  const current = await certAt(c, caPaths(c.pkiDir, spec.name).cert);
  if (!current) return false;
  const staged = await certAt(c, pathsOf(c, spec.name).nextCert);
  if (staged) return current.der.equals(staged.der);
  return newSerial !== undefined && current.serial === newSerial;
}

export async function abort(
  c: StageCtx,
  tree: readonly CaSpec[],
  newSerials: Readonly<Record<string, string>>,
): Promise<AbortResult> {
  const result: AbortResult = { removed: [], promoted: [] };
  for (const spec of tree)
    if (await isPromoted(c, spec, newSerials[spec.name])) result.promoted.push(spec.name);
  // All or nothing: a half-aborted store next to a promoted CA would be worse than either.
  if (result.promoted.length > 0) return result;
  for (const spec of tree) {
    const r = pathsOf(c, spec.name);
    const [staged, trust] = await Promise.all([
      c.ctx.controller.stat(r.nextDir),
      c.ctx.controller.stat(r.trust),
    ]);
    if (staged)
      c.steps.remove(r.nextDir, `abort the rotation: remove the staged next CA ${spec.name} (${r.nextDir})`);
    if (trust) c.steps.remove(r.trust, `abort the rotation: trust only the current ${spec.name} again`);
    if (staged || trust) result.removed.push(spec.name);
  }
  return result;
}
