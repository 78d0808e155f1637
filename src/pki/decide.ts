/** Whether existing material still fits what is asked: keep, create, reissue, or refuse (CA keys). */
import type { KeyObject } from 'node:crypto';
import {
  type BasicConstraints,
  ekuName,
  formatBasicConstraints,
  type KeyUsage,
  type SanEntry,
  sanDifference,
} from './extensions.js';
import { type CertInfo, isIssuedBy, keyMatchesCert } from './inspect.js';
import { formatKeySpec, type KeySpec, keySpecOf, sameKeySpec } from './keys.js';
import { formatSubject, type SubjectAttr, sameSubject } from './names.js';
import { formatDate } from './ttl.js';

export interface Wanted {
  subject: SubjectAttr[];
  /** Other subjects accepted for existing material (what OSA's role produced for the same fields). */
  acceptedSubjects?: SubjectAttr[][];
  /** Compared only when set: what the entry asks for, not ovnctl's defaults for new material. */
  san?: SanEntry[];
  keyUsage?: KeyUsage[];
  extendedKeyUsage?: string[];
  basicConstraints?: BasicConstraints;
  keySpec: KeySpec;
  /** The entry chose the key kind itself; only then is a key of another kind replaced. */
  keySpecExplicit: boolean;
}

export interface Existing {
  cert: CertInfo | null;
  key: KeyObject | null;
}

export interface DecideInput {
  kind: 'ca' | 'leaf';
  want: Wanted;
  existing: Existing;
  /** The certificate's issuer as it is now; null for a self-signed CA (checked against itself). */
  signer: { name: string; subjectDer: Buffer; publicKey: KeyObject } | null;
  now: Date;
  renewBeforeMs: number;
  /** Set when a regen flag names this entry: the label says which flag. */
  regen?: string;
}

export type Decision =
  | { action: 'keep' }
  | { action: 'create' | 'reissue'; reason: string; newKey: boolean }
  | { action: 'fail'; reason: string };

const days = (ms: number) => `${Math.round(ms / 86_400_000)}d`;

function listDiff(want: readonly string[], have: readonly string[] | undefined): string | null {
  const h = have ?? [];
  const same = want.length === h.length && want.every((w) => h.includes(w));
  return same ? null : `${h.length ? h.join(',') : 'none'} -> ${want.length ? want.join(',') : 'none'}`;
}

/** What about the certificate differs from the entry (first difference wins), or null. */
function contentChange(want: Wanted, cert: CertInfo): string | null {
  const subjects = [want.subject, ...(want.acceptedSubjects ?? [])];
  if (!subjects.some((s) => sameSubject(s, cert.subject))) {
    return `subject changed (${formatSubject(cert.subject)} -> ${formatSubject(want.subject)})`;
  }
  if (want.san) {
    const diff = sanDifference(want.san, cert.san ?? []);
    if (diff) return `SAN changed (${diff})`;
  }
  if (want.keyUsage) {
    const d = listDiff(want.keyUsage, cert.keyUsage);
    if (d) return `key usage changed (${d})`;
  }
  if (want.extendedKeyUsage) {
    const d = listDiff(want.extendedKeyUsage.map(ekuName), cert.extendedKeyUsage?.map(ekuName));
    if (d) return `extended key usage changed (${d})`;
  }
  if (want.basicConstraints) {
    const have = cert.basicConstraints ?? { ca: false };
    const w = want.basicConstraints;
    if (have.ca !== w.ca || have.pathlen !== w.pathlen) {
      return `basic constraints changed (${formatBasicConstraints(have)} -> ${formatBasicConstraints(w)})`;
    }
  }
  return null;
}

export function decide(input: DecideInput): Decision {
  const { want, existing, now, kind } = input;
  const { cert, key } = existing;
  if (input.regen)
    return { action: 'reissue', reason: `regeneration requested (${input.regen})`, newKey: true };
  if (!cert && !key) return { action: 'create', reason: 'does not exist', newKey: true };
  if (cert && !key) {
    if (kind === 'ca') {
      return { action: 'fail', reason: 'its certificate exists but its private key is missing' };
    }
    return { action: 'create', reason: 'private key missing', newKey: true };
  }
  const k = key as KeyObject;
  const have = keySpecOf(k);
  if (want.keySpecExplicit && !sameKeySpec(have, want.keySpec)) {
    return {
      action: cert ? 'reissue' : 'create',
      reason: `key type changed (${formatKeySpec(have)} -> ${formatKeySpec(want.keySpec)})`,
      newKey: true,
    };
  }
  if (!cert) return { action: 'create', reason: 'certificate missing (existing key kept)', newKey: false };
  if (!keyMatchesCert(k, cert)) {
    if (kind === 'ca') return { action: 'fail', reason: 'its certificate does not match its private key' };
    return { action: 'reissue', reason: 'certificate does not match its private key', newKey: false };
  }
  const signer = input.signer ?? { name: 'itself', subjectDer: cert.subjectDer, publicKey: cert.publicKey };
  if (!isIssuedBy(cert, signer)) {
    return { action: 'reissue', reason: `not signed by the current ${signer.name}`, newKey: false };
  }
  const change = contentChange(want, cert);
  if (change) return { action: 'reissue', reason: change, newKey: false };
  const left = cert.notAfter.getTime() - now.getTime();
  if (left <= 0)
    return { action: 'reissue', reason: `expired on ${formatDate(cert.notAfter)}`, newKey: false };
  if (left <= input.renewBeforeMs) {
    return {
      action: 'reissue',
      reason: `expires on ${formatDate(cert.notAfter)}, within the renewal window (${days(input.renewBeforeMs)})`,
      newKey: false,
    };
  }
  return { action: 'keep' };
}

/** The reason of a reissue that happened because the certificate was about to expire (or had). */
export function isRenewalReason(reason: string | undefined): boolean {
  return reason !== undefined && (/^expired on /.test(reason) || /within the renewal window/.test(reason));
}
