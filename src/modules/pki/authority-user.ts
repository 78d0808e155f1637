/** An authority the user provides (PEM cert + key, combined PEM, or PKCS#12): validated, then imported into the layout. */
import type { KeyObject } from 'node:crypto';
import type { CertInfo } from '../../pki/inspect.js';
import { sameKey } from '../../pki/keys.js';
import type { CaPaths } from '../../pki/layout.js';
import { concatPem } from '../../pki/pem.js';
import { formatDate } from '../../pki/ttl.js';
import { readUserCa } from '../../pki/user-material.js';
import type { CaSpec } from './authority-entries.js';
import {
  backups,
  type CaOutcome,
  CaRefused,
  type Ctx,
  finish,
  keyAtRest,
  type OnDisk,
  writeCert,
} from './authority-files.js';
import type { CaMaterial } from './ca-material.js';
import { messageOf, resolvePath } from './common.js';

export async function planUserAuthority(
  spec: CaSpec,
  parent: CaMaterial | null,
  disk: OnDisk,
  oldCert: CertInfo | null,
  oldKey: KeyObject | null,
  paths: CaPaths,
  c: Ctx,
): Promise<CaOutcome> {
  const u = spec.user ?? {};
  const load = async (p: string | undefined, what: string) => {
    if (p === undefined) return undefined;
    const file = resolvePath(p, c.ctx, `${spec.where}: ${what}`);
    const data = await c.ctx.controller.read(file);
    if (!data) throw new CaRefused(`${spec.where}: ${what} ${file} does not exist`);
    return { name: file, data };
  };
  const [cert, key, pkcs12] = await Promise.all([
    load(u.cert, 'src_cert'),
    load(u.key, 'src_key'),
    load(u.pkcs12, 'src_pkcs12'),
  ]);
  if (u.passphrase) c.ctx.secret(u.passphrase);
  let ca: Awaited<ReturnType<typeof readUserCa>>;
  try {
    ca = await readUserCa(
      {
        ...(cert ? { cert } : {}),
        ...(key ? { key } : {}),
        ...(pkcs12 ? { pkcs12 } : {}),
        ...(u.passphrase ? { passphrase: u.passphrase } : {}),
      },
      c.now,
    );
  } catch (e) {
    throw new CaRefused(`${spec.where}: user-provided CA refused: ${messageOf(e)}`);
  }
  if (c.regen)
    c.warnings.push(
      `CA ${spec.name} is user-provided: the regen flag does not apply to it (replace its files instead)`,
    );
  const left = ca.cert.notAfter.getTime() - c.now.getTime();
  if (left <= spec.renewBeforeMs) {
    c.warnings.push(
      `user-provided CA ${spec.name} expires on ${formatDate(ca.cert.notAfter)}; ovnctl never renews it: replace it`,
    );
  }
  const certBytes = Buffer.from(ca.cert.pem);
  const chainBytes = concatPem([certBytes, ...ca.chain.map((x) => Buffer.from(x.pem))]);
  const same = oldCert?.der.equals(ca.cert.der) && oldKey && sameKey(oldKey, ca.key);
  if (same) {
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
      chainBytes,
    );
    keyAtRest(spec, paths, oldKey as KeyObject, disk.key as Buffer, false, c);
    return { ...outcome, oldCert, action: 'kept', userProvided: true };
  }
  const why = `import user-provided CA ${spec.name} from ${cert?.name ?? pkcs12?.name}`;
  const keyChanged = !oldKey || !sameKey(oldKey, ca.key);
  await backups(spec, paths, disk, keyChanged, c);
  keyAtRest(
    spec,
    paths,
    ca.key,
    keyChanged ? null : (disk.key as Buffer),
    keyChanged,
    c,
    `import the private key of CA ${spec.name}`,
  );
  writeCert(spec, paths, certBytes, disk, c, why);
  const outcome = finish(spec, parent, paths, ca.cert, certBytes, ca.key, disk, true, c, chainBytes);
  return { ...outcome, oldCert, action: 'imported', reason: 'user-provided CA changed', userProvided: true };
}
