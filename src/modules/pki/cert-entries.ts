/** OSA certificate entries (`pki_certificates`, `pki_certificates_*`, `user_pki_certificates_*`) as checked specs. */
import { isIP } from 'node:net';
import { OvnctlError } from '../../errors.js';
import type { Wanted } from '../../pki/decide.js';
import {
  type BasicConstraints,
  type KeyUsage,
  parseBasicConstraints,
  parseExtendedKeyUsage,
  parseKeyUsage,
  parseSan,
  type SanEntry,
} from '../../pki/extensions.js';
import { type Digest, type KeyDefaults, keySpecFor, parseDigest } from '../../pki/keys.js';
import { checkName } from '../../pki/layout.js';
import { legacySubject, type SubjectFields, subjectFromFields } from '../../pki/names.js';
import { checkLifetime, parseDuration } from '../../pki/ttl.js';
import { type Entry, optString } from './common.js';

export interface UserLeafSource {
  cert: string;
  key?: string;
  ca?: string;
  passphrase?: string;
}

export interface LeafSpec {
  name: string;
  signedBy: string;
  want: Wanted;
  /** What a new certificate carries (the entry's values, else ovnctl's defaults). */
  issue: {
    basicConstraints: BasicConstraints;
    keyUsage: KeyUsage[];
    extendedKeyUsage?: string[];
    san?: SanEntry[];
  };
  ttl: unknown;
  notAfter: unknown;
  digest?: Digest;
  renewBeforeMs: number;
  keyPassphrase?: string;
  caPassphrase?: string;
  user?: UserLeafSource;
  where: string;
}

export interface LeafDefaults {
  keys: KeyDefaults;
  renewBeforeMs: number;
  signedBy?: string;
  caPassphrase?: string;
}

/** A CN that is a host name or address also goes into the SAN (clients ignore the CN). */
function sanFromCn(cn: string | undefined): SanEntry[] | undefined {
  if (!cn) return undefined;
  if (isIP(cn)) return [{ type: 'ip', value: cn }];
  if (/^[A-Za-z0-9*]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*$/.test(cn)) {
    return [{ type: 'dns', value: cn.toLowerCase() }];
  }
  return undefined;
}

export function readLeafSpecs(entries: readonly Entry[], d: LeafDefaults): LeafSpec[] {
  const specs = new Map<string, LeafSpec>();
  for (const [i, e] of entries.entries()) {
    const where = `certificate ${typeof e.name === 'string' ? e.name : `#${i + 1}`}`;
    const name = checkName(e.name, where);
    if (specs.has(name)) {
      throw new OvnctlError(
        'invalid-input',
        `${where}: the name ${name} is defined twice with different settings`,
        {
          hint: 'certificate names must be unique across pki_certificates and every pki_certificates_* variable',
        },
      );
    }
    const src = optString(e.src_cert);
    const signedBy = optString(e.signed_by) ?? d.signedBy;
    if (!signedBy && !src)
      throw new OvnctlError('invalid-input', `${where}: signed_by is required (the CA that signs it)`);
    const fields = e as SubjectFields;
    // A user-provided certificate brings its own subject.
    const subject = src ? [] : subjectFromFields(fields, where);
    const { spec, explicit } = keySpecFor(e, d.keys, where);
    const san = parseSan(e.san, where);
    const keyUsage = parseKeyUsage(e.key_usage, where);
    const eku = parseExtendedKeyUsage(e.extended_key_usage, where);
    const bc = parseBasicConstraints(e.basic_constraints, where);
    const want: Wanted = {
      subject,
      acceptedSubjects: [legacySubject(fields, subject, 'leaf')],
      keySpec: spec,
      keySpecExplicit: explicit,
      ...(san ? { san } : {}),
      ...(keyUsage ? { keyUsage } : {}),
      ...(eku ? { extendedKeyUsage: eku } : {}),
      ...(bc ? { basicConstraints: bc } : {}),
    };
    const issueSan = san ?? sanFromCn(optString(e.cn ?? e.common_name));
    checkLifetime(e.ttl, e.not_after, where);
    const leaf: LeafSpec = {
      name,
      signedBy: signedBy ?? '',
      want,
      issue: {
        basicConstraints: bc ?? { ca: false },
        keyUsage:
          keyUsage ?? (spec.type === 'rsa' ? ['digitalSignature', 'keyEncipherment'] : ['digitalSignature']),
        ...(eku ? { extendedKeyUsage: eku } : {}),
        ...(issueSan ? { san: issueSan } : {}),
      },
      ttl: e.ttl,
      notAfter: e.not_after,
      renewBeforeMs:
        e.renew_before === undefined
          ? d.renewBeforeMs
          : parseDuration(e.renew_before, `${where}: renew_before`),
      where,
    };
    const digest = parseDigest(e.digest ?? d.keys.digest, where);
    if (digest) leaf.digest = digest;
    const kp = optString(e.key_passphrase);
    if (kp) leaf.keyPassphrase = kp;
    const cp = optString(e.ownca_key_passphrase) ?? d.caPassphrase;
    if (cp) leaf.caPassphrase = cp;
    if (src) {
      leaf.user = { cert: src };
      const k = optString(e.src_key);
      const ca = optString(e.src_ca);
      const p = optString(e.src_passphrase);
      if (k) leaf.user.key = k;
      if (ca) leaf.user.ca = ca;
      if (p) leaf.user.passphrase = p;
    }
    specs.set(name, leaf);
  }
  return [...specs.values()];
}
