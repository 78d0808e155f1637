/** `pki_certificates`: OSA's certificate signing (main_certs.yml), planned on the PKI setup host. */
import { isOvnctlError } from '../../errors.js';
import { leafPaths } from '../../pki/layout.js';
import { defineModule, type Plan } from '../types.js';
import { type CaMaterial, loadCa } from './ca-material.js';
import { type LeafSpec, readLeafSpecs } from './cert-entries.js';
import {
  type Entry,
  gatherEntries,
  messageOf,
  readAll,
  regenNames,
  resolvePath,
  StepList,
  truthy,
} from './common.js';
import { certDirs, ensureDirs, ensureKeyModes } from './dirs.js';
import { issuedRecord } from './issued.js';
import { type LeafFiles, type LeafOutcome, LeafRefused, planLeaf, planUserLeaf } from './leaf-plan.js';
import { type CommonParams, settingsFrom } from './settings.js';

export interface CertificatesParams extends CommonParams {
  certificates?: Entry[];
  /** Variables whose names start with this add certificates (`pki_certificates_`, or `user_pki_certificates_`). */
  search_pattern?: string;
  /** A certificate name, a list of names, or true for all (pki_regen_cert, <service>_pki_regen_cert...). */
  regen_cert?: unknown;
  regen_flag_name?: string;
  /** OSA's pki_create_certificates. */
  create?: boolean | string;
  /** CA for entries without signed_by (openstack_pki_service_intermediate_cert_name). */
  default_signed_by?: string;
}

export const pkiCertificates = defineModule<CertificatesParams>({
  name: 'pki_certificates',
  schema: 'pki_certificates',
  secretArgs: ['ca_key_passphrase'],
  async plan(params, ctx): Promise<Plan> {
    if (params.create !== undefined && !truthy(params.create))
      return { steps: [], msg: 'certificate creation is disabled' };
    const settings = settingsFrom(params);
    const pkiDir = resolvePath(params.pki_dir, ctx, 'pki_dir');
    if (params.ca_key_passphrase) ctx.secret(params.ca_key_passphrase);
    const entries = gatherEntries(
      params.certificates,
      ctx.vars,
      params.search_pattern ?? 'pki_certificates_',
      'certificates',
    );
    const specs = readLeafSpecs(entries, {
      keys: settings.keys,
      renewBeforeMs: settings.renewBeforeMs,
      ...(params.default_signed_by ? { signedBy: params.default_signed_by } : {}),
      ...(params.ca_key_passphrase ? { caPassphrase: params.ca_key_passphrase } : {}),
    });
    for (const s of specs) for (const v of [s.keyPassphrase, s.caPassphrase]) if (v) ctx.secret(v);
    const flag = params.regen_flag_name ?? 'pki_regen_cert';
    const regen = regenNames(params.regen_cert);
    const warnings: string[] = [];
    if (regen.all && specs.length > 0) {
      warnings.push(
        `${flag} is true: every certificate of this task gets a new key and certificate on every run; set it back to '' after this run`,
      );
    }
    for (const n of regen.names)
      if (!specs.some((s) => s.name === n))
        warnings.push(`${flag} names ${n}, which is not a defined certificate`);
    if (specs.length === 0) return { steps: [], warnings };

    const now = ctx.now();
    const dirSteps = new StepList(ctx.check);
    const steps = new StepList(ctx.check);
    await ensureDirs(ctx.controller, certDirs(pkiDir, settings), dirSteps);

    // Each CA is read and decrypted once, however many certificates it signs.
    const signers = new Map<string, CaMaterial | null>();
    try {
      for (const s of specs) {
        if (s.user || signers.has(s.signedBy)) continue;
        signers.set(s.signedBy, await loadCa(ctx.controller, pkiDir, s.signedBy, s.caPassphrase));
      }
    } catch (e) {
      if (isOvnctlError(e) && e.code === 'invalid-input') return { steps: [], failed: e.message, warnings };
      throw e;
    }
    const missing = [...signers].filter(([, m]) => !m).map(([n]) => n);
    if (missing.length > 0 && !ctx.check) {
      // Name the certificates too: a typo in signed_by is the usual cause.
      const users = specs.filter((s) => !s.user && missing.includes(s.signedBy)).map((s) => s.name);
      return {
        steps: [],
        failed: `CA ${missing.join(', ')} does not exist under ${pkiDir} (signed_by of ${users.join(', ')}): create it first (certificate-authority.yml, or pki_authorities)`,
        warnings,
      };
    }
    const files = await readAll(
      ctx.controller,
      specs.flatMap((s) => {
        const p = leafPaths(pkiDir, s.name);
        return [p.cert, p.key, p.chain, p.caBundle];
      }),
    );
    const filesOf = (s: LeafSpec): LeafFiles => {
      const p = leafPaths(pkiDir, s.name);
      return {
        cert: files.get(p.cert) ?? null,
        key: files.get(p.key) ?? null,
        chain: files.get(p.chain) ?? null,
        bundle: files.get(p.caBundle) ?? null,
      };
    };
    const c = { ctx, pkiDir, settings, now, defaultTtl: String(params.default_ttl || '730d') };
    let outcomes: LeafOutcome[];
    try {
      outcomes = await Promise.all(
        specs.map((s) => {
          if (s.user) return planUserLeaf(s, filesOf(s), c);
          const signer = signers.get(s.signedBy);
          if (!signer) return Promise.resolve(placeholder(s, pkiDir));
          const named = regen.all || regen.names.has(s.name);
          return planLeaf(
            s,
            signer,
            filesOf(s),
            c,
            named ? `${flag}: ${regen.all ? 'true' : s.name}` : undefined,
          );
        }),
      );
    } catch (e) {
      if (e instanceof LeafRefused || (isOvnctlError(e) && e.code === 'invalid-input'))
        return { steps: [], failed: messageOf(e), warnings };
      throw e;
    }
    for (const o of outcomes) o.emit(steps);
    const rewritten = new Set(steps.steps.flatMap((s) => (s.kind === 'write' ? [s.path] : [])));
    const keys = specs
      .map((s) => leafPaths(pkiDir, s.name).key)
      .filter((k) => !rewritten.has(k) && files.get(k));
    await ensureKeyModes(ctx.controller, keys, settings.keyMode, steps);
    return {
      steps: [],
      controllerSteps: [...dirSteps.steps, ...steps.steps],
      warnings,
      result: {
        pki_dir: pkiDir,
        certificates: Object.fromEntries(
          outcomes.map((o) => [
            o.name,
            {
              action: o.action,
              ...(o.reason ? { reason: o.reason } : {}),
              ...(o.cert ? { serial: o.cert.serial, not_after: o.cert.notAfter.toISOString() } : {}),
            },
          ]),
        ),
        issued: outcomes.flatMap((o) =>
          o.action !== 'kept' && o.cert
            ? [issuedRecord('certificate', o.name, o.cert, o.action, o.reason, o.action === 'imported')]
            : [],
        ),
      },
    };
  },
});

/** Check mode, signer not created yet (an earlier task only planned it): say what would happen. */
function placeholder(s: LeafSpec, pkiDir: string): LeafOutcome {
  const p = leafPaths(pkiDir, s.name);
  const why = `issue ${s.name} (CA ${s.signedBy} does not exist yet: it is created first)`;
  return {
    name: s.name,
    action: 'created',
    reason: `CA ${s.signedBy} does not exist yet`,
    cert: null,
    emit: (steps) => {
      for (const f of [p.key, p.cert, p.chain, p.caBundle])
        steps.write(f, Buffer.alloc(0), null, 0o600, true, why);
    },
  };
}
