/** One authority: decide from what is on disk, make new material in memory, emit the writes. */
import type { KeyObject } from 'node:crypto';
import { decide } from '../../pki/decide.js';
import { type CertInfo, parseCertificate } from '../../pki/inspect.js';
import { issueCertificate } from '../../pki/issue.js';
import { generateKey, loadPrivateKey, sameKey } from '../../pki/keys.js';
import type { CaPaths } from '../../pki/layout.js';
import { caPaths } from '../../pki/layout.js';
import { expiryFrom, formatDate } from '../../pki/ttl.js';
import type { CaSpec } from './authority-entries.js';
import {
  backups,
  type CaOutcome,
  CaRefused,
  CLOCK_SKEW_MS,
  type Ctx,
  finish,
  keyAtRest,
  type OnDisk,
  writeCert,
} from './authority-files.js';
import { planUserAuthority } from './authority-user.js';
import type { CaMaterial } from './ca-material.js';
import { messageOf } from './common.js';

function parseOrRefuse<T>(f: () => T, spec: CaSpec, regen: string | undefined): T | null {
  try {
    return f();
  } catch (e) {
    // With a regen flag the unreadable file is backed up and replaced; otherwise stop.
    if (regen) return null;
    throw new CaRefused(`${spec.where}: ${messageOf(e)}`);
  }
}

export async function planAuthority(
  spec: CaSpec,
  parent: CaMaterial | null,
  disk: OnDisk,
  c: Ctx,
): Promise<CaOutcome> {
  const paths = caPaths(c.pkiDir, spec.name);
  const oldCert = disk.cert
    ? parseOrRefuse(() => parseCertificate(disk.cert as Buffer, paths.cert), spec, c.regen)
    : null;
  const oldKey = disk.key
    ? parseOrRefuse(
        () => loadPrivateKey(disk.key as Buffer, `CA key ${paths.key}`, spec.passphrase),
        spec,
        c.regen,
      )
    : null;
  if (spec.provider === 'user') return planUserAuthority(spec, parent, disk, oldCert, oldKey, paths, c);
  if (disk.userMarker && oldCert && oldKey)
    return keepAdoptedCa(spec, parent, disk, oldCert, oldKey, paths, c);

  const d = decide({
    kind: 'ca',
    want: spec.want,
    existing: { cert: oldCert, key: oldKey },
    signer: parent
      ? { name: parent.name, subjectDer: parent.cert.subjectDer, publicKey: parent.cert.publicKey }
      : null,
    now: c.now,
    renewBeforeMs: spec.renewBeforeMs,
    ...(c.regen ? { regen: c.regen } : {}),
  });
  if (d.action === 'fail') {
    throw new CaRefused(
      `CA ${spec.name}: ${d.reason}; refusing to replace it, which would break every certificate it signed. ` +
        `Restore the key from a backup, or regenerate the CA on purpose with ${c.regenFlag}: ${spec.name}`,
    );
  }
  if (d.action === 'keep') {
    const outcome = finish(
      spec,
      parent,
      paths,
      oldCert as CertInfo,
      disk.cert as Buffer,
      oldKey as KeyObject,
      disk,
      false,
      c,
    );
    keyAtRest(spec, paths, oldKey as KeyObject, disk.key as Buffer, false, c);
    return { ...outcome, oldCert, action: 'kept' };
  }
  const key =
    d.newKey || !oldKey
      ? await (c.newKey ?? generateKey(spec.want.keySpec).then((k) => k.privateKey))
      : oldKey;
  const notBefore = new Date(c.now.getTime() - CLOCK_SKEW_MS);
  const cert = await issueCertificate({
    subject: spec.want.subject,
    publicKey: key,
    ...(parent
      ? { signer: { subjectDer: parent.cert.subjectDer, privateKey: parent.key } }
      : { selfKey: key }),
    notBefore,
    notAfter: expiryFrom(c.now, spec.ttl, spec.notAfter, c.defaultTtl, spec.where),
    extensions: {
      basicConstraints: spec.basicConstraints,
      ...(spec.want.keyUsage ? { keyUsage: spec.want.keyUsage } : {}),
    },
    ...(spec.digest ? { digest: spec.digest } : {}),
  });
  const verb = d.action === 'create' ? 'create' : d.newKey ? 'regenerate' : 'reissue';
  const why = `${verb} CA ${spec.name}: ${d.reason}`;
  const keyChanged = !oldKey || !sameKey(oldKey, key);
  await backups(spec, paths, disk, keyChanged, c);
  keyAtRest(
    spec,
    paths,
    key,
    keyChanged ? null : (disk.key as Buffer),
    keyChanged,
    c,
    `new private key for CA ${spec.name}`,
  );
  const certBytes = Buffer.from(cert.pem);
  writeCert(spec, paths, certBytes, disk, c, why);
  const outcome = finish(spec, parent, paths, cert, certBytes, key, disk, true, c);
  return {
    ...outcome,
    oldCert,
    action: d.action === 'create' ? 'created' : d.newKey ? 'regenerated' : 'reissued',
    reason: d.reason,
  };
}

/**
 * A CA adopted with `ovnctl certificates set-ca` is kept exactly as it is: its subject need not
 * match the entry, it is never renewed, regenerated or re-signed (only the user can replace it).
 */
function keepAdoptedCa(
  spec: CaSpec,
  parent: CaMaterial | null,
  disk: OnDisk,
  cert: CertInfo,
  key: KeyObject,
  paths: CaPaths,
  c: Ctx,
): CaOutcome {
  if (c.regen)
    c.warnings.push(
      `CA ${spec.name} is user-provided (ovnctl certificates set-ca): ${c.regenFlag} does not apply to it`,
    );
  if (cert.notAfter.getTime() - c.now.getTime() <= spec.renewBeforeMs) {
    c.warnings.push(
      `user-provided CA ${spec.name} expires on ${formatDate(cert.notAfter)}; ovnctl never renews it: ` +
        'replace it with ovnctl certificates set-ca',
    );
  }
  const outcome = finish(
    spec,
    parent,
    paths,
    cert,
    disk.cert as Buffer,
    key,
    disk,
    false,
    c,
    disk.chain ?? (disk.cert as Buffer),
  );
  keyAtRest(spec, paths, key, disk.key as Buffer, false, c);
  return { ...outcome, oldCert: cert, action: 'kept', userProvided: true };
}
