/** OSA authority entries (`pki_authorities` and `pki_authorities_*`) read into checked specs. */
import { OvnctlError } from '../../errors.js';
import type { Wanted } from '../../pki/decide.js';
import { type BasicConstraints, parseBasicConstraints, parseKeyUsage } from '../../pki/extensions.js';
import { type Digest, type KeyDefaults, keySpecFor, parseDigest } from '../../pki/keys.js';
import { checkName } from '../../pki/layout.js';
import { legacySubject, type SubjectFields, subjectFromFields } from '../../pki/names.js';
import { checkLifetime, parseDuration } from '../../pki/ttl.js';
import type { PlanContext } from '../types.js';
import { type Entry, gatherEntries, optString } from './common.js';

export interface UserCaSource {
  cert?: string;
  key?: string;
  pkcs12?: string;
  passphrase?: string;
}

export interface CaSpec {
  name: string;
  provider: 'selfsigned' | 'ownca' | 'user';
  signedBy?: string;
  want: Wanted;
  basicConstraints: BasicConstraints;
  ttl: unknown;
  notAfter: unknown;
  digest?: Digest;
  renewBeforeMs: number;
  passphrase?: string;
  user?: UserCaSource;
  where: string;
}

const CA_KEY_USAGE = ['digitalSignature', 'keyCertSign', 'cRLSign'] as const;

export function readCaSpecs(
  entries: readonly Entry[],
  defaults: { keys: KeyDefaults; renewBeforeMs: number; passphrase?: string },
): CaSpec[] {
  const specs = new Map<string, CaSpec>();
  for (const [i, e] of entries.entries()) {
    const where = `authority ${typeof e.name === 'string' ? e.name : `#${i + 1}`}`;
    const name = checkName(e.name, where);
    if (specs.has(name))
      throw new OvnctlError(
        'invalid-input',
        `${where}: the name ${name} is defined twice with different settings`,
      );
    const user: UserCaSource = {};
    for (const [k, field] of [
      ['cert', 'src_cert'],
      ['key', 'src_key'],
      ['pkcs12', 'src_pkcs12'],
      ['passphrase', 'src_passphrase'],
    ] as const) {
      const v = optString(e[field]);
      if (v !== undefined) user[k] = v;
    }
    const isUser = user.cert !== undefined || user.pkcs12 !== undefined;
    const signedBy = optString(e.signed_by);
    const provider = isUser ? 'user' : String(e.provider ?? (signedBy ? 'ownca' : 'selfsigned'));
    if (provider !== 'selfsigned' && provider !== 'ownca' && provider !== 'user') {
      throw new OvnctlError(
        'invalid-input',
        `${where}: provider must be selfsigned or ownca, got "${provider}"`,
      );
    }
    if (provider === 'ownca' && !signedBy)
      throw new OvnctlError('invalid-input', `${where}: an ownca authority needs signed_by`);
    if (signedBy === name)
      throw new OvnctlError('invalid-input', `${where}: an authority cannot be signed by itself`);
    const bc = parseBasicConstraints(e.basic_constraints, where) ?? { ca: true };
    if (!bc.ca)
      throw new OvnctlError('invalid-input', `${where}: basic_constraints must say CA:TRUE for an authority`);
    const fields = e as SubjectFields;
    // A user-provided CA brings its own subject.
    const subject = isUser ? [] : subjectFromFields(fields, where);
    const { spec, explicit } = keySpecFor(e, defaults.keys, where);
    const want: Wanted = {
      subject,
      acceptedSubjects: [legacySubject(fields, subject, 'ca')],
      keyUsage: parseKeyUsage(e.key_usage, where) ?? [...CA_KEY_USAGE],
      basicConstraints: bc,
      keySpec: spec,
      keySpecExplicit: explicit,
    };
    if (want.keyUsage && !want.keyUsage.includes('keyCertSign')) {
      throw new OvnctlError('invalid-input', `${where}: key_usage of an authority must include keyCertSign`);
    }
    checkLifetime(e.ttl, e.not_after, where);
    const caSpec: CaSpec = {
      name,
      provider,
      want,
      basicConstraints: bc,
      ttl: e.ttl,
      notAfter: e.not_after,
      renewBeforeMs:
        e.renew_before === undefined
          ? defaults.renewBeforeMs
          : parseDuration(e.renew_before, `${where}: renew_before`),
      where,
    };
    if (provider === 'ownca' && signedBy) caSpec.signedBy = signedBy;
    const digest = parseDigest(e.digest ?? defaults.keys.digest, where);
    if (digest) caSpec.digest = digest;
    const passphrase = optString(e.key_passphrase) ?? defaults.passphrase;
    if (passphrase) caSpec.passphrase = passphrase;
    if (isUser) caSpec.user = user;
    specs.set(name, caSpec);
  }
  return order([...specs.values()]);
}

/** Signers before the authorities they sign; a cycle is an error. */
function order(specs: CaSpec[]): CaSpec[] {
  const byName = new Map(specs.map((s) => [s.name, s]));
  const out: CaSpec[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (s: CaSpec, trail: string[]) => {
    if (state.get(s.name) === 'done') return;
    if (state.get(s.name) === 'visiting') {
      throw new OvnctlError(
        'invalid-input',
        `authorities sign each other in a circle: ${[...trail, s.name].join(' -> ')}`,
      );
    }
    state.set(s.name, 'visiting');
    const parent = s.signedBy ? byName.get(s.signedBy) : undefined;
    if (parent) visit(parent, [...trail, s.name]);
    state.set(s.name, 'done');
    out.push(s);
  };
  for (const s of specs) visit(s, []);
  return out;
}

/** The authority entries a module is given (list + `pki_authorities_*` vars), read and checked. */
export function authoritySpecs(
  p: { authorities?: unknown; search_pattern?: string; ca_key_passphrase?: string },
  ctx: PlanContext,
  settings: { keys: KeyDefaults; renewBeforeMs: number },
): CaSpec[] {
  const entries = gatherEntries(
    p.authorities,
    ctx.vars,
    p.search_pattern ?? 'pki_authorities_',
    'authorities',
  );
  const specs = readCaSpecs(entries, {
    keys: settings.keys,
    renewBeforeMs: settings.renewBeforeMs,
    ...(p.ca_key_passphrase ? { passphrase: p.ca_key_passphrase } : {}),
  });
  for (const s of specs) if (s.passphrase) ctx.secret(s.passphrase);
  return specs;
}
