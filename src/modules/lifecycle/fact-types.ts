/**
 * What `cert_facts` reports for one host and service (its result under `cert_facts`): the data
 * `ovnctl certificates list` prints and `renew` decides from. Never key material.
 */

export interface FileFact {
  path: string;
  /** certificate, certificate_chain, private_key, ca_bundle, bundle (cert+chain+key), ca_chain. */
  role: string;
  present: boolean;
  /** Octal, e.g. "0600"; absent when the file is missing. */
  mode?: string;
}

export interface EndpointFact {
  address: string;
  port: number;
  label?: string;
  /** The served leaf is the installed certificate (same serial). */
  serves: boolean;
  served_serial?: string;
  error?: string;
}

/** Which CA issued the certificate, as seen from the PKI store. */
export type IssuerState =
  | 'current' // the CA that signs new certificates now
  | 'next' // a CA staged by a rotation, not yet promoted
  | 'previous' // a CA the rotation is replacing (still trusted until the rotation ends)
  | 'self' // a self-signed CA
  | 'user' // user-provided material: ovnctl does not know its issuer
  | 'other';

export type CertStatus = 'ok' | 'renew' | 'error';

export interface CertFact {
  name: string;
  kind: 'ca' | 'certificate';
  user_provided: boolean;
  /** CAs: whether ovnctl renews it before it expires (false for a user-provided CA). */
  auto_renew?: boolean;
  files: FileFact[];
  subject?: string;
  san?: string[];
  issuer?: string;
  serial?: string;
  not_after?: string;
  days_left?: number;
  issued_by?: IssuerState;
  /** Verifies against the CA file installed with it (services) or its signer (CAs). */
  chain_ok?: boolean;
  /** null: no key file to compare (or an encrypted one without its passphrase). */
  key_matches?: boolean | null;
  /** Serial of the copy in the PKI store, when it differs from the installed one. */
  store_serial?: string;
  /** A rotation's staged next CA (CAs only). */
  next?: { serial: string; not_after: string };
  endpoints: EndpointFact[];
  status: CertStatus;
  problems: string[];
}

export interface CertFacts {
  service: string;
  host: string;
  renew_before_days: number;
  certificates: CertFact[];
}

const DAY_MS = 86_400_000;

/** Whole days left (negative once expired), rounded down as `openssl x509 -checkend` thinks. */
export function daysLeft(notAfter: Date, now: Date): number {
  return Math.floor((notAfter.getTime() - now.getTime()) / DAY_MS);
}

/** error beats renew beats ok; `renew` when it expires within the window. */
export function statusOf(
  problems: readonly string[],
  notAfter: Date | undefined,
  now: Date,
  windowMs: number,
): CertStatus {
  if (problems.length > 0) return 'error';
  if (notAfter && notAfter.getTime() - now.getTime() <= windowMs) return 'renew';
  return 'ok';
}
