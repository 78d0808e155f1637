/**
 * User-provided material: a CA to sign with, or a service certificate to install.
 * Everything is checked before anything is written; each refusal says why.
 */
import type { KeyObject } from 'node:crypto';
import { OvnctlError } from '../errors.js';
import {
  type CertInfo,
  isIssuedBy,
  isSelfSigned,
  keyMatchesCert,
  parseCertificateStrict,
  parseCertificates,
} from './inspect.js';
import { loadPrivateKey } from './keys.js';
import { formatSubject } from './names.js';
import { isPrivateKeyLabel, splitPem } from './pem.js';
import { readPkcs12 } from './pkcs12.js';
import { formatDate } from './ttl.js';

export interface UserFile {
  /** Where it came from, for messages (a path). */
  name: string;
  data: Buffer;
}

export interface UserCaInput {
  /** PEM certificate (optionally followed by its chain), or a combined PEM that also holds the key. */
  cert?: UserFile;
  key?: UserFile;
  /** A PKCS#12 bundle instead of cert/key. */
  pkcs12?: UserFile;
  /** For an encrypted key or the PKCS#12 bundle. */
  passphrase?: string;
}

export interface UserCa {
  cert: CertInfo;
  /** Certificates above it, nearest first (may be empty). */
  chain: CertInfo[];
  key: KeyObject;
}

export interface UserLeaf {
  cert: CertInfo;
  /** Certificates that came after the leaf in its file, then the CA file's. */
  chain: CertInfo[];
  key: KeyObject | null;
}

function refuse(message: string): never {
  throw new OvnctlError('invalid-input', message);
}

function keyFromPem(file: UserFile, passphrase: string | undefined): KeyObject | null {
  const block = splitPem(file.data.toString('utf8')).find((b) => isPrivateKeyLabel(b.label));
  return block ? loadPrivateKey(block.text, file.name, passphrase) : null;
}

function checkDates(cert: CertInfo, what: string, now: Date): void {
  if (cert.notAfter.getTime() <= now.getTime()) refuse(`${what} expired on ${formatDate(cert.notAfter)}`);
  if (cert.notBefore.getTime() > now.getTime())
    refuse(`${what} is not valid before ${formatDate(cert.notBefore)}`);
}

function checkIsCa(cert: CertInfo, what: string): void {
  if (!cert.basicConstraints?.ca)
    refuse(`${what} (${formatSubject(cert.subject)}) is not a CA (no CA:TRUE basic constraint)`);
  if (cert.keyUsage && !cert.keyUsage.includes('keyCertSign')) {
    refuse(
      `${what} (${formatSubject(cert.subject)}) may not sign certificates (key usage lacks keyCertSign)`,
    );
  }
}

/** Each certificate is signed by the next one. */
function checkLinks(certs: readonly CertInfo[], what: string): void {
  for (let i = 0; i + 1 < certs.length; i++) {
    const child = certs[i] as CertInfo;
    const parent = certs[i + 1] as CertInfo;
    if (!isIssuedBy(child, parent)) {
      refuse(
        `${what}: ${formatSubject(child.subject)} is not signed by the next certificate ${formatSubject(parent.subject)}`,
      );
    }
  }
}

export async function readUserCa(input: UserCaInput, now: Date): Promise<UserCa> {
  let certs: CertInfo[];
  let keys: KeyObject[];
  let what: string;
  if (input.pkcs12) {
    what = input.pkcs12.name;
    const p12 = await readPkcs12(input.pkcs12.data, what, input.passphrase);
    certs = p12.certificates.map((der, i) => parseCertificateStrict(der, `${what} (certificate ${i + 1})`));
    keys = p12.keys;
  } else {
    if (!input.cert) refuse('a user CA needs a certificate (cert, a combined PEM, or a PKCS#12 bundle)');
    what = input.cert.name;
    certs = parseCertificates(input.cert.data, what);
    const key = input.key
      ? keyFromPem(input.key, input.passphrase)
      : keyFromPem(input.cert, input.passphrase);
    if (input.key && !key) refuse(`${input.key.name} holds no PEM private key`);
    keys = key ? [key] : [];
  }
  if (certs.length === 0) refuse(`${what} holds no certificate`);
  const key = keys[0];
  if (!key) refuse(`no private key for the CA in ${what} (give key, or a PEM holding both)`);
  const index = certs.findIndex((c) => keyMatchesCert(key, c));
  if (index < 0) refuse(`the private key does not match the CA certificate in ${what}`);
  const cert = certs[index] as CertInfo;
  const chain = orderChain(cert, [...certs.slice(0, index), ...certs.slice(index + 1)]);
  checkIsCa(cert, what);
  checkDates(cert, what, now);
  checkLinks([cert, ...chain], what);
  for (const c of chain) checkDates(c, `${what} chain certificate ${formatSubject(c.subject)}`, now);
  return { cert, chain, key };
}

/** The issuers of `start`, nearest first, picked from `pool` (bundles are not always in order). */
function orderChain(start: CertInfo, pool: CertInfo[]): CertInfo[] {
  const chain: CertInfo[] = [];
  let current = start;
  const left = [...pool];
  while (!isSelfSigned(current)) {
    const i = left.findIndex((c) => isIssuedBy(current, c));
    if (i < 0) break;
    current = left.splice(i, 1)[0] as CertInfo;
    chain.push(current);
  }
  return chain;
}

export interface UserLeafInput {
  cert: UserFile;
  /** Absent when only the certificate is installed from a user file. */
  key?: UserFile;
  ca?: UserFile;
  passphrase?: string;
}

/**
 * A user's service certificate: key matches, not expired, has SANs, and its
 * chain verifies up to the given CA file (or as far as the files go).
 */
export function readUserLeaf(input: UserLeafInput, now: Date): UserLeaf {
  const what = input.cert.name;
  const certs = parseCertificates(input.cert.data, what);
  const leaf = certs[0];
  if (!leaf) refuse(`${what} holds no PEM certificate`);
  let key: KeyObject | null = null;
  if (input.key) {
    key = keyFromPem(input.key, input.passphrase);
    if (!key) refuse(`${input.key.name} holds no PEM private key`);
    if (!keyMatchesCert(key, leaf)) refuse(`${input.key.name} does not match the certificate in ${what}`);
  }
  checkDates(leaf, what, now);
  if (!leaf.san || leaf.san.length === 0)
    refuse(`${what} has no subject alternative names (clients ignore the CN)`);
  const cas = input.ca ? parseCertificates(input.ca.data, input.ca.name) : [];
  if (input.ca && cas.length === 0) refuse(`${input.ca.name} holds no PEM certificate`);
  const chain = orderChain(leaf, [...certs.slice(1), ...cas]);
  for (const c of chain) {
    checkIsCa(c, `chain certificate in ${cas.includes(c) ? input.ca?.name : what}`);
    checkDates(c, `chain certificate ${formatSubject(c.subject)}`, now);
  }
  if (input.ca) {
    const anchored = chain.some((c) => cas.includes(c));
    if (!anchored) refuse(`${what} does not chain to any certificate in ${input.ca.name}`);
  } else if (certs.length > 1 && chain.length < certs.length - 1) {
    refuse(`${what}: the certificates after the first do not form its chain`);
  }
  return { cert: leaf, chain, key };
}
