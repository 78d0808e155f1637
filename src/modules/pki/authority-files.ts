/** The files of one authority under roots/<CA>: key (encrypted at rest when asked), versioned certificate, chain, backups. */
import type { KeyObject } from 'node:crypto';
import type { CertInfo } from '../../pki/inspect.js';
import { exportPrivateKey, isEncryptedPem } from '../../pki/keys.js';
import { backupPath, type CaPaths, caPaths, rotationPaths } from '../../pki/layout.js';
import { concatPem } from '../../pki/pem.js';
import { shellQuote as shq } from '../../shell.js';
import type { PlanContext } from '../types.js';
import type { CaSpec } from './authority-entries.js';
import type { CaMaterial } from './ca-material.js';
import type { StepList } from './common.js';
import type { Settings } from './settings.js';

/** A CA after planning: the material leaves are signed with from now on. */
export interface CaOutcome extends CaMaterial {
  /** The certificate before this run (null when there was none). */
  oldCert: CertInfo | null;
  certChanged: boolean;
  chainChanged: boolean;
  /** For the task result: created, reissued, regenerated, imported, kept. */
  action: string;
  reason?: string;
  /** Adopted with `ovnctl certificates set-ca` (or a provider: user entry): never auto-renewed. */
  userProvided?: boolean;
}

export interface OnDisk {
  cert: Buffer | null;
  key: Buffer | null;
  chain: Buffer | null;
  serial: Buffer | null;
  /** Set by `ovnctl certificates set-ca`: the CA is the user's, never renewed or re-signed here. */
  userMarker: Buffer | null;
}

export class CaRefused extends Error {}

/** Back-date new certificates a little so hosts with a slow clock accept them. */
export const CLOCK_SKEW_MS = 60 * 60 * 1000;

export interface Ctx {
  ctx: PlanContext;
  pkiDir: string;
  steps: StepList;
  settings: Settings;
  now: Date;
  regen: string | undefined;
  /** Name of the regen variable, for messages. */
  regenFlag: string;
  warnings: string[];
  defaultTtl: string;
  /** A key generated ahead, in parallel with the other authorities' keys. */
  newKey?: Promise<KeyObject>;
}

export async function readOnDisk(c: PlanContext, pkiDir: string, name: string): Promise<OnDisk> {
  const p = caPaths(pkiDir, name);
  const [cert, key, chain, serial, userMarker] = await Promise.all(
    [p.cert, p.key, p.chain, p.serial, rotationPaths(pkiDir, name).userMarker].map((f) =>
      c.controller.read(f),
    ),
  );
  return {
    cert: cert ?? null,
    key: key ?? null,
    chain: chain ?? null,
    serial: serial ?? null,
    userMarker: userMarker ?? null,
  };
}

/**
 * A backup name no file has yet: a second backup within the same second (a regeneration
 * re-run right after an interrupted one) must not overwrite the first, which may hold the only
 * copy of the original key.
 */
async function freeBackupPath(file: string, c: Ctx): Promise<string> {
  const base = backupPath(file, c.now);
  let candidate = base;
  for (let n = 1; await c.ctx.controller.stat(candidate); n++) candidate = `${base.slice(0, -1)}.${n}~`;
  return candidate;
}

/** A CA is never replaced without a copy of what it replaces (the certificate always changes here). */
export async function backups(
  spec: CaSpec,
  paths: CaPaths,
  disk: OnDisk,
  keyChanged: boolean,
  c: Ctx,
): Promise<void> {
  if (keyChanged && disk.key) {
    const to = await freeBackupPath(paths.key, c);
    c.steps.write(
      to,
      disk.key,
      null,
      c.settings.keyMode,
      true,
      `back up the private key of CA ${spec.name} to ${to}`,
    );
  }
  if (disk.cert) {
    const to = await freeBackupPath(paths.cert, c);
    c.steps.write(
      to,
      disk.cert,
      null,
      c.settings.certMode,
      false,
      `back up the certificate of CA ${spec.name} to ${to}`,
    );
  }
}

/** The key file: new, re-encrypted because a passphrase is now set, or left alone. */
export function keyAtRest(
  spec: CaSpec,
  paths: CaPaths,
  key: KeyObject,
  current: Buffer | null,
  changed: boolean,
  c: Ctx,
  why?: string,
): void {
  if (changed || !current) {
    c.steps.write(
      paths.key,
      exportPrivateKey(key, spec.passphrase),
      null,
      c.settings.keyMode,
      true,
      why ?? `write CA key ${spec.name}`,
    );
    return;
  }
  if (spec.passphrase && !isEncryptedPem(current.toString('utf8'))) {
    c.steps.write(
      paths.key,
      exportPrivateKey(key, spec.passphrase),
      null,
      c.settings.keyMode,
      true,
      `encrypt CA key ${spec.name} at rest (a CA key passphrase is set)`,
    );
  }
}

/** OSA keeps `<CA>-<n>.crt` files and points `<CA>.crt` at the newest; so does ovnctl. */
export function writeCert(
  spec: CaSpec,
  paths: CaPaths,
  certBytes: Buffer,
  disk: OnDisk,
  c: Ctx,
  why: string,
): void {
  const last = Number.parseInt(disk.serial?.toString('utf8').trim() ?? '', 10);
  const n = Math.max(Number.isNaN(last) ? 999 : last, 999) + 1;
  const versioned = paths.versioned(n);
  c.steps.write(versioned, certBytes, null, c.settings.certMode, false, why);
  c.steps.write(
    paths.serial,
    Buffer.from(String(n)),
    disk.serial,
    c.settings.certMode,
    false,
    `record serial ${n} of CA ${spec.name}`,
  );
  c.steps.exec(
    symlinkCommand(versioned.slice(paths.certsDir.length + 1), paths.cert),
    `point ${paths.cert} at ${versioned}`,
    [symlinkTemp(paths.cert)],
  );
}

/** Replace `link` atomically by a symlink to `target` (relative, as OSA makes them). */
/** The scratch link symlinkCommand renames over `link`. */
export function symlinkTemp(link: string): string {
  return `${link}.ovnctl-tmp`;
}

export function symlinkCommand(target: string, link: string): string {
  const tmp = symlinkTemp(link);
  return `ln -sfn ${shq(target)} ${shq(tmp)} && mv -fT ${shq(tmp)} ${shq(link)}`;
}

export function finish(
  spec: CaSpec,
  parent: CaMaterial | null,
  paths: CaPaths,
  cert: CertInfo,
  certBytes: Buffer,
  key: KeyObject,
  disk: OnDisk,
  certChanged: boolean,
  c: Ctx,
  userChain?: Buffer,
): Omit<CaOutcome, 'oldCert' | 'action'> {
  const chainBytes = userChain ?? (parent ? concatPem([certBytes, parent.chainBytes]) : certBytes);
  const chainChanged = !disk.chain?.equals(chainBytes);
  if (chainChanged || certChanged) {
    const why = `${disk.chain ? 'rebuild' : 'create'} chain of CA ${spec.name}`;
    if (!parent && !userChain)
      c.steps.exec(symlinkCommand(`${spec.name}.crt`, paths.chain), why, [symlinkTemp(paths.chain)]);
    else if (chainChanged)
      c.steps.write(paths.chain, chainBytes, disk.chain, c.settings.certMode, false, why);
  }
  return { name: spec.name, paths, cert, certBytes, chainBytes, key, certChanged, chainChanged };
}
