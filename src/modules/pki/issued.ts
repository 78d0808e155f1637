/**
 * What a PKI module issued in a run, in its result under `issued`: the data the security event
 * log is made from (`ovnctl` turns each record into an AUTHN event). Names, subjects and serials
 * only: never key material.
 */
import { isRenewalReason } from '../../pki/decide.js';
import type { CertInfo } from '../../pki/inspect.js';
import { formatSubject } from '../../pki/names.js';

export interface IssuedRecord {
  kind: 'ca' | 'certificate';
  name: string;
  subject: string;
  serial: string;
  not_after: string;
  /** created, reissued, regenerated, imported, resigned, staged (a rotation's next CA). */
  action: string;
  reason?: string;
  /** Issued because the previous one was about to expire (or had). */
  renewal: boolean;
  /** A user-provided CA or certificate (never renewed by ovnctl). */
  user_provided: boolean;
}

export function issuedRecord(
  kind: IssuedRecord['kind'],
  name: string,
  cert: CertInfo,
  action: string,
  reason: string | undefined,
  userProvided = false,
): IssuedRecord {
  return {
    kind,
    name,
    subject: formatSubject(cert.subject),
    serial: cert.serial,
    not_after: cert.notAfter.toISOString(),
    action,
    ...(reason ? { reason } : {}),
    renewal: isRenewalReason(reason),
    user_provided: userProvided,
  };
}
