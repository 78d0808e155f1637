/**
 * `ca_rotation`: the PKI-store side of `ovnctl certificates regenerate-ca` / `set-ca`, one stage
 * per call, planned on the PKI setup host (controller steps only):
 *   prepare  stage the next CA (generated, or the user's) and write the old+new trust bundle
 *   promote  back up the current CA and make the staged one current (leaves are then reissued)
 *   finish   drop the trust bundle: only the new CA is trusted from now on
 *   abort    (before promote only) drop the staged CA and the trust bundle: the old CA alone again
 * Distributing bundles and reissuing leaves is done by running the services' own playbooks.
 */
import { isOvnctlError, OvnctlError } from '../../errors.js';
import { rotationPaths } from '../../pki/layout.js';
import { readUserCa, type UserCa } from '../../pki/user-material.js';
import { authoritySpecs, type CaSpec } from '../pki/authority-entries.js';
import { type Entry, messageOf, resolvePath, StepList } from '../pki/common.js';
import { type CommonParams, settingsFrom } from '../pki/settings.js';
import { defineModule, type Plan, type PlanContext } from '../types.js';
import { abort } from './rotation-abort.js';
import { type StageCtx, subtree } from './rotation-common.js';
import { prepare } from './rotation-prepare.js';
import { promote } from './rotation-promote.js';

export interface CaRotationParams extends CommonParams {
  stage: 'prepare' | 'promote' | 'finish' | 'abort';
  /** The CA to rotate; every authority below it gets a new key and certificate too. */
  ca?: string;
  /** Without `ca`: the root of this CA's hierarchy (openstack_pki_service_intermediate_cert_name). */
  default_signed_by?: string;
  authorities?: Entry[];
  search_pattern?: string;
  /** promote: each rotated CA's serial when the rotation started (a changed CA is not replaced). */
  old_serials?: Record<string, string>;
  /** abort: each staged CA's serial, which tells a promoted CA whose staged copy is gone. */
  new_serials?: Record<string, string>;
  /** set-ca: the user's CA, controller paths (PEM certificate, key, or PKCS#12). */
  user_cert?: string;
  user_key?: string;
  user_pkcs12?: string;
  user_passphrase?: string;
}

async function userCa(p: CaRotationParams, ctx: PlanContext): Promise<UserCa | undefined> {
  if (!p.user_cert && !p.user_pkcs12) return undefined;
  const load = async (f: string | undefined, what: string) => {
    if (!f) return undefined;
    const file = resolvePath(f, ctx, `ca_rotation: ${what}`);
    const data = await ctx.controller.read(file);
    if (!data) throw new Error(`${what} ${file} does not exist`);
    return { name: file, data };
  };
  if (p.user_passphrase) ctx.secret(p.user_passphrase);
  const [cert, key, pkcs12] = await Promise.all([
    load(p.user_cert, 'user_cert'),
    load(p.user_key, 'user_key'),
    load(p.user_pkcs12, 'user_pkcs12'),
  ]);
  return readUserCa(
    {
      ...(cert ? { cert } : {}),
      ...(key ? { key } : {}),
      ...(pkcs12 ? { pkcs12 } : {}),
      ...(p.user_passphrase ? { passphrase: p.user_passphrase } : {}),
    },
    ctx.now(),
  );
}

/** The top of `from`'s hierarchy: what `regenerate-ca` rotates when no CA is named. */
function rootOf(specs: readonly CaSpec[], from: string | undefined): string {
  let spec = specs.find((s) => s.name === from);
  if (!spec) {
    throw new OvnctlError(
      'invalid-input',
      `no CA named: give one (--ca); ${from ?? 'the service CA'} is not a defined authority`,
    );
  }
  const seen = new Set<string>();
  while (spec.signedBy && !seen.has(spec.name)) {
    seen.add(spec.name);
    const parent = specs.find((s) => s.name === spec?.signedBy);
    if (!parent) break;
    spec = parent;
  }
  return spec.name;
}

export const caRotationModule = defineModule<CaRotationParams>({
  name: 'ca_rotation',
  schema: 'ca_rotation',
  secretArgs: ['ca_key_passphrase', 'user_passphrase'],
  async plan(p, ctx): Promise<Plan> {
    const settings = settingsFrom(p);
    if (p.ca_key_passphrase) ctx.secret(p.ca_key_passphrase);
    const pkiDir = resolvePath(p.pki_dir, ctx, 'pki_dir');
    const steps = new StepList(ctx.check);
    const c: StageCtx = { ctx, pkiDir, steps, settings, now: ctx.now(), warnings: [] };
    let result: Record<string, unknown>;
    try {
      const specs = authoritySpecs(p, ctx, settings);
      const tree = subtree(specs, p.ca || rootOf(specs, p.default_signed_by));
      const cas = tree.map((s) => s.name);
      if (p.stage === 'prepare') {
        let user: UserCa | undefined;
        try {
          user = await userCa(p, ctx);
        } catch (e) {
          return { steps: [], failed: `user-provided CA refused: ${messageOf(e)}` };
        }
        const r = await prepare(c, tree, user, String(p.default_ttl || '3650d'));
        result = {
          rotation: { stage: p.stage, ca: cas[0], cas, old: r.old, next: r.next },
          issued: r.issued,
        };
      } else if (p.stage === 'promote') {
        const adopted = p.user_cert ?? p.user_pkcs12;
        const r = await promote(c, tree, p.old_serials ?? {}, adopted);
        result = { rotation: { stage: p.stage, ca: cas[0], cas, ...r } };
      } else if (p.stage === 'abort') {
        const r = await abort(c, tree, p.new_serials ?? {});
        result = { rotation: { stage: p.stage, ca: cas[0], cas, ...r } };
        if (r.promoted.length > 0) {
          // The result still goes out: `promoted` tells the command that nothing was changed.
          return {
            steps: [],
            failed: `cannot abort: ${r.promoted.join(', ')} already promoted (the new CA is current)`,
            result,
            warnings: c.warnings,
          };
        }
      } else {
        for (const name of cas) {
          const r = rotationPaths(pkiDir, name);
          if (await ctx.controller.stat(r.trust))
            steps.steps.push({
              kind: 'remove',
              path: r.trust,
              why: `trust only the new ${name} from now on`,
            });
          if (await ctx.controller.stat(r.nextDir))
            c.warnings.push(`${r.nextDir} still holds a staged CA that was never promoted`);
        }
        result = { rotation: { stage: p.stage, ca: cas[0], cas } };
      }
    } catch (e) {
      if (isOvnctlError(e) && e.code === 'invalid-input')
        return { steps: [], failed: e.message, warnings: c.warnings };
      throw e;
    }
    return { steps: [], controllerSteps: steps.steps, result, warnings: c.warnings };
  },
});
