/** A CA as it sits under pki_dir, loaded once per plan for signing. */
import crypto, { type KeyObject } from 'node:crypto';
import { OvnctlError } from '../../errors.js';
import { type CertInfo, parseCertificate } from '../../pki/inspect.js';
import { loadPrivateKey, sameKey } from '../../pki/keys.js';
import { type CaPaths, caPaths, rotationPaths } from '../../pki/layout.js';
import type { Facts } from '../types.js';

export interface CaMaterial {
  name: string;
  paths: CaPaths;
  cert: CertInfo;
  /** `<CA>.crt` as written (what OSA's `cat leaf ca > chain` copies). */
  certBytes: Buffer;
  /** `<CA>-chain.crt`: the CA and the certificates above it. */
  chainBytes: Buffer;
  /** During a CA rotation, `<CA>-trust.crt` (old and new chains): what leaves' CA bundles hold. */
  trustBytes?: Buffer;
  key: KeyObject;
}

/**
 * Parsed CAs by content: a playbook plans certificates once per host, and each
 * plan would otherwise parse and decrypt the same CA again.
 */
const cache = new Map<string, CaMaterial>();
const CACHE_SIZE = 16;

function cacheKey(parts: readonly (Buffer | string)[]): string {
  const h = crypto.createHash('sha256');
  for (const p of parts) h.update(crypto.createHash('sha256').update(p).digest());
  return h.digest('hex');
}

/** null when the CA's certificate does not exist; an error when it exists but cannot be used. */
export async function loadCa(
  facts: Facts,
  pkiDir: string,
  name: string,
  passphrase?: string,
): Promise<CaMaterial | null> {
  const paths = caPaths(pkiDir, name);
  const [certBytes, keyBytes, chainBytes, trustBytes] = await Promise.all([
    facts.read(paths.cert),
    facts.read(paths.key),
    facts.read(paths.chain),
    facts.read(rotationPaths(pkiDir, name).trust),
  ]);
  if (!certBytes) return null;
  if (!keyBytes) {
    throw new OvnctlError(
      'invalid-input',
      `CA ${name}: private key ${paths.key} is missing, so it cannot sign`,
    );
  }
  const id = cacheKey([
    paths.cert,
    certBytes,
    keyBytes,
    chainBytes ?? '',
    trustBytes ?? '',
    passphrase ?? '',
  ]);
  const known = cache.get(id);
  if (known) return known;
  const cert = parseCertificate(certBytes, paths.cert);
  const key = loadPrivateKey(keyBytes, `CA key ${paths.key}`, passphrase);
  // A swapped or restored-from-the-wrong-backup key would sign certificates nobody can verify.
  if (!sameKey(key, cert.publicKey)) {
    throw new OvnctlError(
      'invalid-input',
      `CA ${name}: its private key ${paths.key} does not match its certificate ${paths.cert}; refusing to sign with it`,
      { hint: 'restore the CA key from a backup (<key>.<date>~ beside it)' },
    );
  }
  const material: CaMaterial = { name, paths, cert, certBytes, chainBytes: chainBytes ?? certBytes, key };
  if (trustBytes) material.trustBytes = trustBytes;
  if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value as string);
  cache.set(id, material);
  return material;
}
