/**
 * `checked_reload`: reload (or restart) a service only when something it reads changed, and only
 * after its configuration check passes; an invalid configuration is never activated.
 *
 * A reload that is owed survives a failed run: the owed reload is recorded in `pending_file` on
 * the host before anything can fail, and removed only after the reload succeeded. (Ansible's
 * handlers forget a notification when the run fails between the change and the handler, so a
 * cert written by a failed run would never be loaded; OSA has that problem.)
 */
import { OvnctlError } from '../../errors.js';
import { truthy } from '../pki/common.js';
import { defineModule, type Plan, type Step } from '../types.js';

export interface CheckedReloadParams {
  /** Service name, for messages. */
  name: string;
  /** The reload or restart command; required unless state is `pending`. */
  command?: string;
  /** A read-only configuration check run first (e.g. `haproxy -c -f ...`); its failure stops here. */
  check?: string;
  /** Something changed in this run (e.g. `{{ certs is changed or config is changed }}`). */
  pending?: boolean | string;
  /** Host path recording an owed reload across runs. */
  pending_file?: string;
  /** More marker files a successful run of `command` settles (a restart also reloads certs). */
  also_clear?: string[];
  /** `pending`: only record the owed reload (right after a change, before later tasks can fail). */
  state?: 'reloaded' | 'pending';
}

function markerStep(path: string, name: string, now: Date): Step {
  return {
    kind: 'write',
    path,
    mode: 0o600,
    content: Buffer.from(`${name}: reload owed since ${now.toISOString()}\n`),
    before: null,
    sensitive: false,
    why: `record that ${name} must reload (${path})`,
  };
}

export const checkedReloadModule = defineModule<CheckedReloadParams>({
  name: 'checked_reload',
  schema: 'checked_reload',
  plan: async (p, ctx): Promise<Plan> => {
    const state = p.state ?? 'reloaded';
    const changed = truthy(p.pending);
    const markerExists = p.pending_file ? (await ctx.target.stat(p.pending_file)) !== null : false;
    const steps: Step[] = [];
    if (changed && p.pending_file && !markerExists) steps.push(markerStep(p.pending_file, p.name, ctx.now()));
    if (state === 'pending') {
      if (!p.pending_file)
        throw new OvnctlError('invalid-input', 'checked_reload: state=pending needs pending_file');
      return { steps, result: { reload_owed: changed || markerExists } };
    }
    if (!p.command) throw new OvnctlError('invalid-input', `checked_reload ${p.name}: command is required`);
    if (!changed && !markerExists) return { steps: [], result: { reloaded: false } };
    const owed = changed ? 'a change in this run' : `an earlier run (${p.pending_file})`;
    if (p.check) steps.push({ kind: 'exec', command: p.check, why: `check the ${p.name} configuration` });
    steps.push({ kind: 'exec', command: p.command, why: `reload ${p.name}: owed by ${owed}` });
    for (const file of [p.pending_file, ...(p.also_clear ?? [])]) {
      if (!file) continue;
      const exists =
        file === p.pending_file ? markerExists || changed : (await ctx.target.stat(file)) !== null;
      if (exists) steps.push({ kind: 'remove', path: file, why: `${p.name} reloaded: clear ${file}` });
    }
    return { steps, result: { reloaded: true, reason: owed } };
  },
});
