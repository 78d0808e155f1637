/** What the stages of a CA rotation share: the rotated subtree, staged material, the stage context. */
import type { KeyObject } from 'node:crypto';
import { OvnctlError } from '../../errors.js';
import { type CertInfo, parseCertificate, parseCertificates } from '../../pki/inspect.js';
import { loadPrivateKey } from '../../pki/keys.js';
import { type RotationPaths, rotationPaths } from '../../pki/layout.js';
import { concatPem } from '../../pki/pem.js';
import type { CaSpec } from '../pki/authority-entries.js';
import type { StepList } from '../pki/common.js';
import type { Settings } from '../pki/settings.js';
import type { PlanContext } from '../types.js';

export interface StageCtx {
  ctx: PlanContext;
  pkiDir: string;
  steps: StepList;
  settings: Settings;
  now: Date;
  warnings: string[];
}

/** The rotated CA and every authority below it, signers first (as readCaSpecs orders them). */
export function subtree(specs: readonly CaSpec[], ca: string): CaSpec[] {
  const root = specs.find((s) => s.name === ca);
  if (!root) {
    throw new OvnctlError('invalid-input', `CA ${ca} is not a defined authority`, {
      hint: `defined: ${specs.map((s) => s.name).join(', ') || 'none'} (openstack_pki_authorities)`,
    });
  }
  if (root.provider === 'user') {
    throw new OvnctlError(
      'invalid-input',
      `CA ${ca} comes from user files in the configuration (src_cert): replace those files instead`,
    );
  }
  const names = new Set([ca]);
  for (const s of specs) if (s.signedBy && names.has(s.signedBy)) names.add(s.name);
  return specs.filter((s) => names.has(s.name));
}

export interface Staged {
  cert: CertInfo;
  certBytes: Buffer;
  key: KeyObject;
  keyBytes: Buffer;
  chainBytes: Buffer;
}

/** The staged next CA of `name`, or null when there is none (or it cannot be read). */
export async function readStaged(c: StageCtx, spec: CaSpec): Promise<Staged | null> {
  const r = rotationPaths(c.pkiDir, spec.name);
  const [certBytes, keyBytes, chainBytes] = await Promise.all(
    [r.nextCert, r.nextKey, r.nextChain].map((f) => c.ctx.controller.read(f)),
  );
  if (!certBytes || !keyBytes) return null;
  try {
    const cert = parseCertificate(certBytes, r.nextCert);
    const key = loadPrivateKey(keyBytes, `staged CA key ${r.nextKey}`, spec.passphrase);
    return { cert, certBytes, key, keyBytes, chainBytes: chainBytes ?? certBytes };
  } catch (e) {
    if (e instanceof OvnctlError && /passphrase/.test(e.message)) throw e;
    return null;
  }
}

/** Every certificate of the given PEM files once, in order (a trust bundle). */
export function uniqueCerts(parts: readonly Buffer[], what: string): Buffer {
  const seen: CertInfo[] = [];
  for (const p of parts) {
    for (const cert of parseCertificates(p, what))
      if (!seen.some((s) => s.der.equals(cert.der))) seen.push(cert);
  }
  return concatPem(seen.map((c) => Buffer.from(c.pem)));
}

export function pathsOf(c: StageCtx, name: string): RotationPaths {
  return rotationPaths(c.pkiDir, name);
}
