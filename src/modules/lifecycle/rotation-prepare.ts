/**
 * Stage 0 of a CA rotation: the next CA (and a next authority for everything below it) is made
 * and staged in roots/<CA>/next/, and `<CA>-trust.crt` gets the old and the new chain together.
 * Nothing that signs or serves changes yet. Staged material is reused when a stage is resumed.
 */
import { OvnctlError } from '../../errors.js';
import { isIssuedBy, keyMatchesCert } from '../../pki/inspect.js';
import { issueCertificate } from '../../pki/issue.js';
import { exportPrivateKey, generateKey } from '../../pki/keys.js';
import { concatPem } from '../../pki/pem.js';
import { expiryFrom } from '../../pki/ttl.js';
import type { UserCa } from '../../pki/user-material.js';
import type { CaSpec } from '../pki/authority-entries.js';
import { CLOCK_SKEW_MS } from '../pki/authority-files.js';
import { type CaMaterial, loadCa } from '../pki/ca-material.js';
import { type IssuedRecord, issuedRecord } from '../pki/issued.js';
import { pathsOf, readStaged, type StageCtx, type Staged, uniqueCerts } from './rotation-common.js';

export interface PrepareResult {
  old: Record<string, { serial: string; not_after: string }>;
  next: Record<string, { serial: string; not_after: string }>;
  issued: IssuedRecord[];
}

/** Fits what is asked: key matches, signed by the right parent, and (set-ca) the user's certificate. */
function reusable(
  staged: Staged | null,
  signer: { subjectDer: Buffer; publicKey: CaMaterial['cert']['publicKey'] } | null,
  user: UserCa | undefined,
  now: Date,
): boolean {
  if (!staged || staged.cert.notAfter.getTime() <= now.getTime()) return false;
  if (!keyMatchesCert(staged.key, staged.cert)) return false;
  if (user) return staged.cert.der.equals(user.cert.der);
  return isIssuedBy(
    staged.cert,
    signer ?? { subjectDer: staged.cert.subjectDer, publicKey: staged.cert.publicKey },
  );
}

async function makeNext(
  c: StageCtx,
  spec: CaSpec,
  parent: { cert: CaMaterial['cert']; key: CaMaterial['key']; chainBytes: Buffer } | null,
  defaultTtl: string,
): Promise<Staged> {
  const key = (await generateKey(spec.want.keySpec)).privateKey;
  const cert = await issueCertificate({
    subject: spec.want.subject,
    publicKey: key,
    ...(parent
      ? { signer: { subjectDer: parent.cert.subjectDer, privateKey: parent.key } }
      : { selfKey: key }),
    notBefore: new Date(c.now.getTime() - CLOCK_SKEW_MS),
    notAfter: expiryFrom(c.now, spec.ttl, spec.notAfter, defaultTtl, spec.where),
    extensions: {
      basicConstraints: spec.basicConstraints,
      ...(spec.want.keyUsage ? { keyUsage: spec.want.keyUsage } : {}),
    },
    ...(spec.digest ? { digest: spec.digest } : {}),
  });
  const certBytes = Buffer.from(cert.pem);
  return {
    cert,
    certBytes,
    key,
    keyBytes: exportPrivateKey(key, spec.passphrase),
    chainBytes: parent ? concatPem([certBytes, parent.chainBytes]) : certBytes,
  };
}

export async function prepare(
  c: StageCtx,
  tree: readonly CaSpec[],
  user: UserCa | undefined,
  defaultTtl: string,
): Promise<PrepareResult> {
  const result: PrepareResult = { old: {}, next: {}, issued: [] };
  const staged = new Map<string, Staged>();
  const rotated = tree[0] as CaSpec;
  for (const spec of tree) {
    const current = await loadCa(c.ctx.controller, c.pkiDir, spec.name, spec.passphrase);
    if (!current) {
      throw new OvnctlError(
        'invalid-input',
        `CA ${spec.name} does not exist under ${c.pkiDir}: there is nothing to rotate`,
        {
          hint: 'create it first: ovnctl run certificate-authority.yml',
        },
      );
    }
    result.old[spec.name] = { serial: current.cert.serial, not_after: current.cert.notAfter.toISOString() };
    const isRotated = spec === rotated;
    // The rotated CA keeps its own signer (if any); everything below it moves to the new material.
    let parent: { cert: CaMaterial['cert']; key: CaMaterial['key']; chainBytes: Buffer } | null = null;
    if (spec.signedBy) {
      parent = isRotated
        ? await loadCa(c.ctx.controller, c.pkiDir, spec.signedBy, spec.passphrase)
        : (staged.get(spec.signedBy) ?? null);
      if (!parent)
        throw new OvnctlError('invalid-input', `CA ${spec.name}: its signer ${spec.signedBy} does not exist`);
    }
    const userCa = isRotated ? user : undefined;
    const existing = await readStaged(c, spec);
    let next: Staged;
    let fresh = false;
    if (reusable(existing, parent ? parent.cert : null, userCa, c.now)) next = existing as Staged;
    else if (userCa) {
      const certBytes = Buffer.from(userCa.cert.pem);
      next = {
        cert: userCa.cert,
        certBytes,
        key: userCa.key,
        keyBytes: exportPrivateKey(userCa.key, spec.passphrase),
        chainBytes: concatPem([certBytes, ...userCa.chain.map((x) => Buffer.from(x.pem))]),
      };
      fresh = true;
    } else {
      next = await makeNext(c, spec, parent, defaultTtl);
      fresh = true;
    }
    staged.set(spec.name, next);
    result.next[spec.name] = { serial: next.cert.serial, not_after: next.cert.notAfter.toISOString() };
    const p = pathsOf(c, spec.name);
    if (fresh) {
      const why = `stage the next CA ${spec.name}${userCa ? ' (user-provided)' : ''}`;
      c.steps.mkdir(p.nextDir, c.settings.keyDirMode, `create ${p.nextDir} for the next CA ${spec.name}`);
      c.steps.write(p.nextKey, next.keyBytes, null, c.settings.keyMode, true, `${why}: private key`);
      c.steps.write(p.nextCert, next.certBytes, null, c.settings.certMode, false, `${why}: certificate`);
      c.steps.write(p.nextChain, next.chainBytes, null, c.settings.certMode, false, `${why}: chain`);
      result.issued.push(issuedRecord('ca', spec.name, next.cert, 'staged', 'CA rotation', Boolean(userCa)));
    }
    const trust = uniqueCerts([current.chainBytes, next.chainBytes], `trust bundle of ${spec.name}`);
    const before = await c.ctx.controller.read(p.trust);
    if (!before?.equals(trust)) {
      c.steps.write(
        p.trust,
        trust,
        before,
        c.settings.certMode,
        false,
        `trust the old and the new ${spec.name} together (${p.trust})`,
      );
    }
  }
  return result;
}
