/** One certificate under certs/: decide, then (after keys and signatures are made in parallel) emit its files. */
import type { KeyObject } from 'node:crypto';
import { type Decision, decide } from '../../pki/decide.js';
import { type CertInfo, parseCertificate } from '../../pki/inspect.js';
import { issueCertificate } from '../../pki/issue.js';
import { exportPrivateKey, generateKey, isEncryptedPem, loadPrivateKey, sameKey } from '../../pki/keys.js';
import { type LeafPaths, leafPaths } from '../../pki/layout.js';
import { concatPem } from '../../pki/pem.js';
import { expiryFrom } from '../../pki/ttl.js';
import { readUserLeaf } from '../../pki/user-material.js';
import type { PlanContext } from '../types.js';
import { CLOCK_SKEW_MS } from './authority-files.js';
import type { CaMaterial } from './ca-material.js';
import type { LeafSpec } from './cert-entries.js';
import { messageOf, resolvePath, type StepList } from './common.js';
import type { Settings } from './settings.js';

export interface LeafFiles {
  cert: Buffer | null;
  key: Buffer | null;
  chain: Buffer | null;
  bundle: Buffer | null;
}

export interface LeafOutcome {
  name: string;
  action: 'kept' | 'created' | 'reissued' | 'imported';
  reason?: string;
  cert: CertInfo | null;
  emit(steps: StepList): void;
}

export class LeafRefused extends Error {}

interface Ctx {
  ctx: PlanContext;
  pkiDir: string;
  settings: Settings;
  now: Date;
  defaultTtl: string;
}

function existingKey(files: LeafFiles, spec: LeafSpec, p: LeafPaths): KeyObject | null {
  if (!files.key) return null;
  try {
    return loadPrivateKey(files.key, `private key ${p.key}`, spec.keyPassphrase);
  } catch (e) {
    // A wrong passphrase is a configuration error; a damaged key file is simply replaced.
    if (/passphrase/.test(messageOf(e))) throw new LeafRefused(`${spec.where}: ${messageOf(e)}`);
    return null;
  }
}

function existingCert(files: LeafFiles, p: LeafPaths): CertInfo | null {
  if (!files.cert) return null;
  try {
    return parseCertificate(files.cert, p.cert);
  } catch {
    return null;
  }
}

/** Files that follow from the certificate and its signer; written only where they differ. */
function emitFiles(
  s: StepList,
  spec: LeafSpec,
  p: LeafPaths,
  files: LeafFiles,
  c: Ctx,
  material: {
    certBytes: Buffer;
    keyBytes: Buffer | null;
    chain: Buffer;
    bundle: Buffer | null;
    why: string | null;
    keyWhy: string;
  },
): void {
  const what = material.why;
  if (material.keyBytes) s.write(p.key, material.keyBytes, null, c.settings.keyMode, true, material.keyWhy);
  if (!files.cert?.equals(material.certBytes)) {
    s.write(
      p.cert,
      material.certBytes,
      files.cert,
      c.settings.certMode,
      false,
      `${what ?? `write certificate ${spec.name}`}`,
    );
  }
  if (!files.chain?.equals(material.chain)) {
    s.write(
      p.chain,
      material.chain,
      files.chain,
      c.settings.certMode,
      false,
      `${files.chain ? 'rebuild' : 'create'} chain of ${spec.name}`,
    );
  }
  if (material.bundle && !files.bundle?.equals(material.bundle)) {
    s.write(
      p.caBundle,
      material.bundle,
      files.bundle,
      c.settings.certMode,
      false,
      `${files.bundle ? 'rebuild' : 'create'} CA bundle of ${spec.name}`,
    );
  }
}

export async function planLeaf(
  spec: LeafSpec,
  signer: CaMaterial,
  files: LeafFiles,
  c: Ctx,
  regen?: string,
): Promise<LeafOutcome> {
  const p = leafPaths(c.pkiDir, spec.name);
  const cert = existingCert(files, p);
  const key = existingKey(files, spec, p);
  const d: Decision = decide({
    kind: 'leaf',
    want: spec.want,
    existing: { cert, key },
    signer: { name: signer.name, subjectDer: signer.cert.subjectDer, publicKey: signer.cert.publicKey },
    now: c.now,
    renewBeforeMs: spec.renewBeforeMs,
    ...(regen ? { regen } : {}),
  });
  // Mid-rotation the bundle holds the old and the new CA chain, so both kinds of leaves verify.
  const bundle = signer.trustBytes ?? signer.chainBytes;
  if (d.action === 'fail') throw new LeafRefused(`${spec.where}: ${d.reason}`);
  if (d.action === 'keep') {
    const certBytes = files.cert as Buffer;
    const reencrypt = spec.keyPassphrase && files.key && !isEncryptedPem(files.key.toString('utf8'));
    return {
      name: spec.name,
      action: 'kept',
      cert,
      emit: (s) =>
        emitFiles(s, spec, p, files, c, {
          certBytes,
          keyBytes: reencrypt ? exportPrivateKey(key as KeyObject, spec.keyPassphrase) : null,
          chain: concatPem([certBytes, signer.certBytes]),
          bundle,
          why: null,
          keyWhy: `encrypt the private key of ${spec.name} at rest`,
        }),
    };
  }
  const reason =
    files.cert && !cert && d.reason === 'certificate missing (existing key kept)'
      ? 'certificate unreadable'
      : d.reason;
  const newKey = d.newKey || !key ? (await generateKey(spec.want.keySpec)).privateKey : key;
  const issued = await issueCertificate({
    subject: spec.want.subject,
    publicKey: newKey,
    signer: { subjectDer: signer.cert.subjectDer, privateKey: signer.key },
    notBefore: new Date(c.now.getTime() - CLOCK_SKEW_MS),
    notAfter: expiryFrom(c.now, spec.ttl, spec.notAfter, c.defaultTtl, spec.where),
    extensions: spec.issue,
    ...(spec.digest ? { digest: spec.digest } : {}),
  });
  const certBytes = Buffer.from(issued.pem);
  const verb = d.action === 'create' ? 'issue' : 'reissue';
  const keyChanged = !key || !sameKey(key, newKey);
  return {
    name: spec.name,
    action: d.action === 'create' ? 'created' : 'reissued',
    reason,
    cert: issued,
    emit: (s) =>
      emitFiles(s, spec, p, files, c, {
        certBytes,
        keyBytes: keyChanged ? exportPrivateKey(newKey, spec.keyPassphrase) : null,
        chain: concatPem([certBytes, signer.certBytes]),
        bundle,
        why: `${verb} ${spec.name}: ${reason}`,
        keyWhy: `new private key for ${spec.name}`,
      }),
  };
}

/** A user-provided certificate: validated, then kept under certs/ like a generated one. */
export async function planUserLeaf(spec: LeafSpec, files: LeafFiles, c: Ctx): Promise<LeafOutcome> {
  const u = spec.user as NonNullable<LeafSpec['user']>;
  const load = async (p: string | undefined, what: string) => {
    if (p === undefined) return undefined;
    const file = resolvePath(p, c.ctx, `${spec.where}: ${what}`);
    const data = await c.ctx.controller.read(file);
    if (!data) throw new LeafRefused(`${spec.where}: ${what} ${file} does not exist`);
    return { name: file, data };
  };
  const [certFile, keyFile, caFile] = await Promise.all([
    load(u.cert, 'src_cert'),
    load(u.key, 'src_key'),
    load(u.ca, 'src_ca'),
  ]);
  if (u.passphrase) c.ctx.secret(u.passphrase);
  let leaf: ReturnType<typeof readUserLeaf>;
  try {
    leaf = readUserLeaf(
      {
        cert: certFile as NonNullable<typeof certFile>,
        ...(keyFile ? { key: keyFile } : {}),
        ...(caFile ? { ca: caFile } : {}),
        ...(u.passphrase ? { passphrase: u.passphrase } : {}),
      },
      c.now,
    );
  } catch (e) {
    throw new LeafRefused(`${spec.where}: user-provided certificate refused: ${messageOf(e)}`);
  }
  if (!leaf.key) throw new LeafRefused(`${spec.where}: src_key is required with src_cert`);
  const p = leafPaths(c.pkiDir, spec.name);
  const have = existingKey(files, spec, p);
  const keyChanged = !have || !sameKey(have, leaf.key);
  const certBytes = Buffer.from(leaf.cert.pem);
  const intermediates = leaf.chain.filter((x) => !x.issuerDer.equals(x.subjectDer));
  const chain = concatPem([certBytes, ...intermediates.map((x) => Buffer.from(x.pem))]);
  const bundle = leaf.chain.length > 0 ? concatPem(leaf.chain.map((x) => Buffer.from(x.pem))) : null;
  const changed = keyChanged || !files.cert?.equals(certBytes);
  const userKey = leaf.key;
  return {
    name: spec.name,
    action: changed ? 'imported' : 'kept',
    ...(changed ? { reason: 'user-provided certificate changed' } : {}),
    cert: leaf.cert,
    emit: (s) =>
      emitFiles(s, spec, p, files, c, {
        certBytes,
        keyBytes: keyChanged ? exportPrivateKey(userKey, spec.keyPassphrase) : null,
        chain,
        bundle: bundle ?? (leaf.cert.issuerDer.equals(leaf.cert.subjectDer) ? certBytes : null),
        why: changed ? `import user-provided certificate ${spec.name} from ${u.cert}` : null,
        keyWhy: `import the private key of ${spec.name} from ${u.key ?? u.cert}`,
      }),
  };
}
