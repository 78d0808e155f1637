/** `pki_authorities`: OSA's CA creation (main_ca.yml), planned on the PKI setup host. */
import type { KeyObject } from 'node:crypto';
import { isOvnctlError } from '../../errors.js';
import { generateKey } from '../../pki/keys.js';
import { caPaths } from '../../pki/layout.js';
import { defineModule, type Plan } from '../types.js';
import { authoritySpecs } from './authority-entries.js';
import { type CaOutcome, CaRefused, readOnDisk } from './authority-files.js';
import { planAuthority } from './authority-plan.js';
import { type CaMaterial, loadCa } from './ca-material.js';
import { type Entry, regenNames, resolvePath, StepList, truthy } from './common.js';
import { caDirs, certDirs, ensureDirs, ensureKeyModes } from './dirs.js';
import { issuedRecord } from './issued.js';
import { rechainLeaves } from './leaf-rechain.js';
import { type CommonParams, settingsFrom } from './settings.js';

export interface AuthoritiesParams extends CommonParams {
  authorities?: Entry[];
  /** Variables whose names start with this add authorities (OSA: `pki_authorities_`). */
  search_pattern?: string;
  /** A CA name, a list of names, or true for all (OSA's pki_regen_ca). */
  regen_ca?: unknown;
  /** Name of the variable behind regen_ca, for messages. */
  regen_flag_name?: string;
  create_ca?: boolean | string;
}

export const pkiAuthorities = defineModule<AuthoritiesParams>({
  name: 'pki_authorities',
  schema: 'pki_authorities',
  secretArgs: ['ca_key_passphrase'],
  async plan(params, ctx): Promise<Plan> {
    if (params.create_ca !== undefined && !truthy(params.create_ca))
      return { steps: [], msg: 'CA creation is disabled' };
    const settings = settingsFrom(params);
    const pkiDir = resolvePath(params.pki_dir, ctx, 'pki_dir');
    if (params.ca_key_passphrase) ctx.secret(params.ca_key_passphrase);
    const specs = authoritySpecs(params, ctx, settings);
    const flag = params.regen_flag_name ?? 'pki_regen_ca';
    const regen = regenNames(params.regen_ca);
    const warnings: string[] = [];
    if (regen.all) {
      warnings.push(
        `${flag} is true: every CA is regenerated on every run (with all it signed); set it back to '' after this run`,
      );
    }
    for (const n of regen.names) {
      if (!specs.some((s) => s.name === n))
        warnings.push(`${flag} names ${n}, which is not a defined authority`);
    }
    const now = ctx.now();
    const dirSteps = new StepList(ctx.check);
    const steps = new StepList(ctx.check);
    await ensureDirs(
      ctx.controller,
      [...certDirs(pkiDir, settings), ...specs.flatMap((s) => caDirs(pkiDir, s.name, settings))],
      dirSteps,
    );
    const disks = await Promise.all(specs.map((s) => readOnDisk(ctx, pkiDir, s.name)));
    const outcomes = new Map<string, CaOutcome>();
    try {
      // New keys do not depend on the parent: start them all at once (RSA keygen is slow).
      const early = new Map<string, Promise<KeyObject>>();
      specs.forEach((s, i) => {
        const adopted = Boolean(disks[i]?.userMarker);
        if (s.provider !== 'user' && !adopted && (regen.all || regen.names.has(s.name) || !disks[i]?.key)) {
          early.set(
            s.name,
            generateKey(s.want.keySpec).then((k) => k.privateKey),
          );
        }
      });
      for (const [i, spec] of specs.entries()) {
        let parent: CaMaterial | null = null;
        if (spec.signedBy) {
          parent =
            outcomes.get(spec.signedBy) ??
            (await loadCa(ctx.controller, pkiDir, spec.signedBy, spec.passphrase));
          if (!parent) {
            throw new CaRefused(
              `${spec.where}: signed_by ${spec.signedBy} is neither a defined authority nor a CA under ${pkiDir}`,
            );
          }
        }
        const named = regen.all || regen.names.has(spec.name);
        const outcome = await planAuthority(spec, parent, disks[i] as NonNullable<(typeof disks)[number]>, {
          ctx,
          pkiDir,
          steps,
          settings,
          now,
          regen: named ? `${flag}: ${regen.all ? 'true' : spec.name}` : undefined,
          warnings,
          defaultTtl: String(params.default_ttl || '3650d'),
          regenFlag: flag,
          ...(early.has(spec.name) ? { newKey: early.get(spec.name) as Promise<KeyObject> } : {}),
        });
        outcomes.set(spec.name, outcome);
      }
    } catch (e) {
      if (e instanceof CaRefused || (isOvnctlError(e) && e.code === 'invalid-input')) {
        return { steps: [], failed: e.message, warnings };
      }
      throw e;
    }
    const all = [...outcomes.values()];
    const changed = all.filter((o) => o.certChanged || o.chainChanged);
    const leaves = await rechainLeaves(ctx, pkiDir, changed, steps, settings, now);
    const rewritten = new Set(
      steps.steps.filter((s) => s.kind === 'write').map((s) => (s as { path: string }).path),
    );
    const keyFiles = all.map((o) => caPaths(pkiDir, o.name).key).filter((k) => !rewritten.has(k));
    await ensureKeyModes(ctx.controller, keyFiles, settings.keyMode, steps);
    return {
      steps: [],
      controllerSteps: [...dirSteps.steps, ...steps.steps],
      warnings,
      result: {
        pki_dir: pkiDir,
        authorities: Object.fromEntries(
          all.map((o) => [
            o.name,
            {
              action: o.action,
              ...(o.reason ? { reason: o.reason } : {}),
              serial: o.cert.serial,
              not_after: o.cert.notAfter.toISOString(),
              ...(o.userProvided ? { user_provided: true } : {}),
            },
          ]),
        ),
        resigned: leaves.resigned,
        rechained: leaves.rechained,
        issued: [
          ...all
            .filter((o) => o.action !== 'kept')
            .map((o) => issuedRecord('ca', o.name, o.cert, o.action, o.reason, o.userProvided)),
          ...leaves.issued,
        ],
      },
    };
  },
});
