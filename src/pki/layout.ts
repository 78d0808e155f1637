/** OSA's deploy-host layout under pki_dir, so an existing OSA pki_dir is used as it is. */
import path from 'node:path';
import { OvnctlError } from '../errors.js';

export interface CaPaths {
  dir: string;
  certsDir: string;
  csrDir: string;
  privateDir: string;
  /** `<CA>.crt`: in OSA a symlink to the newest `<CA>-<n>.crt`. */
  cert: string;
  /** `<CA>-chain.crt`: the CA, then its signer's chain (a symlink to `<CA>.crt` for a root). */
  chain: string;
  key: string;
  /** OSA's counter for versioned certificate names (starts at 999). */
  serial: string;
  versioned(n: number): string;
}

export interface LeafPaths {
  cert: string;
  /** Leaf then its signer's certificate. */
  chain: string;
  /** The signer's chain (what a client needs to trust the leaf). */
  caBundle: string;
  key: string;
}

export interface PkiDirs {
  root: string;
  roots: string;
  certs: string;
  certsCerts: string;
  certsCsr: string;
  certsPrivate: string;
}

/** A CA or certificate name becomes a file name: no path separators, no dot names. */
export function checkName(name: unknown, where: string): string {
  if (typeof name !== 'string' || name.trim() === '') {
    throw new OvnctlError('invalid-input', `${where}: every entry needs a non-empty name`);
  }
  if (name.includes('/') || name.includes('\0') || name === '.' || name === '..') {
    throw new OvnctlError('invalid-input', `${where}: name "${name}" cannot be used as a file name`);
  }
  return name;
}

export function pkiDirs(pkiDir: string): PkiDirs {
  const certs = path.join(pkiDir, 'certs');
  return {
    root: pkiDir,
    roots: path.join(pkiDir, 'roots'),
    certs,
    certsCerts: path.join(certs, 'certs'),
    certsCsr: path.join(certs, 'csr'),
    certsPrivate: path.join(certs, 'private'),
  };
}

export function caPaths(pkiDir: string, name: string): CaPaths {
  const dir = path.join(pkiDir, 'roots', name);
  const certsDir = path.join(dir, 'certs');
  return {
    dir,
    certsDir,
    csrDir: path.join(dir, 'csr'),
    privateDir: path.join(dir, 'private'),
    cert: path.join(certsDir, `${name}.crt`),
    chain: path.join(certsDir, `${name}-chain.crt`),
    key: path.join(dir, 'private', `${name}.key.pem`),
    serial: path.join(dir, 'serial'),
    versioned: (n) => path.join(certsDir, `${name}-${n}.crt`),
  };
}

export function leafPaths(pkiDir: string, name: string): LeafPaths {
  const d = pkiDirs(pkiDir);
  return {
    cert: path.join(d.certsCerts, `${name}.crt`),
    chain: path.join(d.certsCerts, `${name}-chain.crt`),
    caBundle: path.join(d.certsCerts, `${name}-ca_bundle.crt`),
    key: path.join(d.certsPrivate, `${name}.key.pem`),
  };
}

/**
 * CA rotation (`ovnctl certificates regenerate-ca` / `set-ca`) under roots/<CA>/: the next CA is
 * staged in next/ until it is promoted; while a rotation runs, `<CA>-trust.crt` holds the old and
 * the new chain together and is what the leaves' CA bundles carry (so clients and services trust
 * both). A user-provided CA carries a marker: it is never renewed, regenerated or re-signed.
 */
export interface RotationPaths {
  nextDir: string;
  nextCert: string;
  nextKey: string;
  nextChain: string;
  trust: string;
  userMarker: string;
}

export function rotationPaths(pkiDir: string, name: string): RotationPaths {
  const ca = caPaths(pkiDir, name);
  const nextDir = path.join(ca.dir, 'next');
  return {
    nextDir,
    nextCert: path.join(nextDir, `${name}.crt`),
    nextKey: path.join(nextDir, `${name}.key.pem`),
    nextChain: path.join(nextDir, `${name}-chain.crt`),
    trust: path.join(ca.certsDir, `${name}-trust.crt`),
    userMarker: path.join(ca.dir, 'user-provided'),
  };
}

/** Ansible's backup naming (`<file>.<YYYY-MM-DD@HH:MM:SS>~`), in UTC. */
export function backupPath(file: string, now: Date): string {
  const iso = now.toISOString();
  return `${file}.${iso.slice(0, 10)}@${iso.slice(11, 19)}~`;
}
