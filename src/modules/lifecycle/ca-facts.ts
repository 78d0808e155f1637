/** The certificate authorities in the PKI store (the setup host): files, validity, key, chain, rotation. */
import {
  type CertInfo,
  isIssuedBy,
  isSelfSigned,
  keyMatchesCert,
  parseCertificate,
} from '../../pki/inspect.js';
import { loadPrivateKey } from '../../pki/keys.js';
import { caPaths, rotationPaths } from '../../pki/layout.js';
import { formatSubject } from '../../pki/names.js';
import { formatDate } from '../../pki/ttl.js';
import type { Facts } from '../types.js';
import { type CertFact, daysLeft, type FileFact, statusOf } from './fact-types.js';

export interface CaEntry {
  name: string;
  signedBy?: string;
}

function parse(data: Buffer | null | undefined, path: string): CertInfo | null {
  if (!data) return null;
  try {
    return parseCertificate(data, path);
  } catch {
    return null;
  }
}

export async function caFacts(
  controller: Facts,
  pkiDir: string,
  entries: readonly CaEntry[],
  now: Date,
  windowMs: number,
  passphrase: string | undefined,
): Promise<CertFact[]> {
  const certs = new Map<string, CertInfo | null>();
  const out: CertFact[] = [];
  for (const e of entries) {
    const p = caPaths(pkiDir, e.name);
    const r = rotationPaths(pkiDir, e.name);
    const [cert, key, chain, marker, next, trust] = await Promise.all(
      [p.cert, p.key, p.chain, r.userMarker, r.nextCert, r.trust].map((f) => controller.read(f)),
    );
    const files: FileFact[] = [
      { path: p.cert, role: 'certificate', present: cert !== null },
      { path: p.key, role: 'private_key', present: key !== null },
      { path: p.chain, role: 'ca_chain', present: chain !== null },
    ];
    if (trust) files.push({ path: r.trust, role: 'ca_bundle', present: true });
    const problems = files.filter((f) => !f.present).map((f) => `${f.path} is missing`);
    const userProvided = marker !== null;
    const fact: CertFact = {
      name: e.name,
      kind: 'ca',
      user_provided: userProvided,
      auto_renew: !userProvided,
      files,
      endpoints: [],
      status: 'ok',
      problems,
    };
    const info = parse(cert, p.cert);
    certs.set(e.name, info);
    if (cert && !info) problems.push(`${p.cert} holds no readable certificate`);
    if (info) {
      Object.assign(fact, {
        subject: formatSubject(info.subject),
        issuer: formatSubject(info.issuer),
        serial: info.serial,
        not_after: formatDate(info.notAfter),
        days_left: daysLeft(info.notAfter, now),
      });
      if (info.notAfter.getTime() <= now.getTime()) problems.push(`expired on ${formatDate(info.notAfter)}`);
      if (key) {
        try {
          const k = loadPrivateKey(key, `CA key ${p.key}`, passphrase);
          fact.key_matches = keyMatchesCert(k, info);
          if (!fact.key_matches) problems.push(`${p.key} does not match the certificate`);
        } catch {
          fact.key_matches = null;
        }
      }
      const parent = e.signedBy ? certs.get(e.signedBy) : undefined;
      if (parent) {
        fact.issued_by = isIssuedBy(info, parent) ? 'current' : 'other';
        fact.chain_ok = fact.issued_by === 'current';
        if (!fact.chain_ok) problems.push(`not signed by the current ${e.signedBy}`);
      } else if (isSelfSigned(info)) {
        fact.issued_by = 'self';
        fact.chain_ok = true;
      } else {
        fact.issued_by = userProvided ? 'user' : 'other';
      }
      const staged = parse(next, r.nextCert);
      if (staged) fact.next = { serial: staged.serial, not_after: formatDate(staged.notAfter) };
    }
    // A user-provided CA within the window is reported, but as something only its owner can fix.
    fact.status = statusOf(problems, info?.notAfter, now, windowMs);
    out.push(fact);
  }
  return out;
}
