/**
 * `certificates regenerate-ca` and `set-ca`: a CA rotation with no outage, resumable.
 *   prepare   (PKI store) the next CA is staged; trust bundles hold the old and the new chain
 *   stage 1   trust: every service playbook runs, hosts get the bundles and reload
 *   promote   (PKI store) the old CA is backed up, the next one becomes current
 *   stage 2   reissue: every service playbook runs, every leaf is reissued from the new CA
 *   finish    (PKI store, only once every host succeeded) the old CA leaves the bundles
 *   stage 3   cleanup: every service playbook runs, hosts get the new-only bundles and reload
 * A failure stops before the next step; the state file says where every host stands, and the
 * next invocation resumes there. Before promote, `--abort` undoes it instead (rotate-abort.ts).
 */
import { OvnctlError } from '../errors.js';
import type { Progress } from './outcome.js';
import {
  describeStep,
  type FleetStage,
  type HostOutcome,
  inProgress,
  newState,
  type RotationState,
  readState,
  STEPS,
  type Step,
  writeState,
} from './rotation-state.js';
import { CA_PLAYBOOK, deployed, ROTATION_PLAYBOOK, usesServiceCa } from './services.js';
import type { RunOutcome, Session } from './session.js';

export interface UserCaFiles {
  cert?: string;
  key?: string;
  pkcs12?: string;
  passphrase?: string;
}

export interface RotateRequest {
  kind: RotationState['kind'];
  ca: string | undefined;
  user?: UserCaFiles;
}

function start(session: Session, req: RotateRequest, progress: Progress): RotationState {
  const configDir = session.loaded.configDir;
  const current = readState(configDir);
  const action = req.kind === 'set-ca' ? 'set_custom_ca' : 'regenerate_ca';
  if (inProgress(current)) {
    // The staged CA may be gone already: going forward from a half-done abort would fail midway.
    if (current.aborting) {
      throw new OvnctlError(
        'usage',
        `the CA rotation ${current.id} of ${current.ca || 'the CA'} is being aborted: finish the abort first`,
        { hint: 'ovnctl certificates regenerate-ca --abort' },
      );
    }
    if (req.ca && current.ca && req.ca !== current.ca) {
      throw new OvnctlError(
        'usage',
        `a rotation of CA ${current.ca} is in progress (next: ${describeStep(current.next)})`,
        {
          hint: 'finish it first: ovnctl certificates regenerate-ca',
        },
      );
    }
    if (current.kind === 'set-ca' && current.next === 'prepare' && !req.user) {
      throw new OvnctlError(
        'usage',
        `the set-ca rotation of ${current.ca || 'the CA'} has not staged the CA yet: give its files again`,
        {
          hint: 'ovnctl certificates set-ca --cert F --key F (or --combined F, --pkcs12 F)',
        },
      );
    }
    if (req.kind === 'set-ca' && current.kind !== 'set-ca') {
      throw new OvnctlError(
        'usage',
        `a regenerate-ca rotation of ${current.ca} is in progress: finish it first`,
        {
          hint: 'ovnctl certificates regenerate-ca',
        },
      );
    }
    progress.say(
      `resuming the ${current.kind} rotation ${current.id} of ${current.ca} at ${describeStep(current.next)}`,
    );
    session.security.write({
      category: 'AUTHZ',
      event: 'authz_admin',
      action,
      ca: current.ca,
      rotation: current.id,
      resume: describeStep(current.next),
      command: session.command,
    });
    return current;
  }
  const source = req.user
    ? {
        ...(req.user.cert ? { cert: req.user.cert } : {}),
        ...(req.user.key ? { key: req.user.key } : {}),
        ...(req.user.pkcs12 ? { pkcs12: req.user.pkcs12 } : {}),
      }
    : undefined;
  const state = newState(req.kind, req.ca ?? '', source);
  session.security.write({
    category: 'AUTHZ',
    event: 'authz_admin',
    action,
    ca: req.ca ?? '(root of the service CA)',
    rotation: state.id,
    ...(source ? { source: source.cert ?? source.pkcs12 } : {}),
    command: session.command,
  });
  writeState(configDir, state);
  return state;
}

export function rotationResult(o: RunOutcome): Record<string, unknown> | undefined {
  for (const r of o.results) {
    const rot = r.result?.rotation;
    if (rot && typeof rot === 'object') return rot as Record<string, unknown>;
  }
  return undefined;
}

/** One ca_rotation stage in the PKI store; on failure `state.last_error` says why. */
export async function storeStage(
  session: Session,
  state: RotationState,
  rotation: Record<string, unknown>,
  label: string,
  progress: Progress,
): Promise<{ ok: boolean; outcome: RunOutcome }> {
  const o = await session.run({ playbook: ROTATION_PLAYBOOK, extra: { ovnctl_ca_rotation: rotation } });
  progress.record(label, o);
  if (o.failures.length > 0 || o.summary.failedHosts.length > 0) {
    state.last_error = o.failures.join('; ') || `${label} failed`;
    return { ok: false, outcome: o };
  }
  return { ok: true, outcome: o };
}

async function storeStep(
  session: Session,
  state: RotationState,
  step: Step,
  user: UserCaFiles | undefined,
  progress: Progress,
): Promise<boolean> {
  const stage = step === 'prepare' ? 'prepare' : step === 'promote' ? 'promote' : 'finish';
  const rotation: Record<string, unknown> = { stage, ca: state.ca };
  if (stage === 'promote') rotation.old_serials = state.old_serials;
  if (user && (stage === 'prepare' || stage === 'promote')) {
    for (const k of ['cert', 'key', 'pkcs12'] as const) if (user[k]) rotation[`user_${k}`] = user[k];
    if (stage === 'prepare' && user.passphrase) rotation.user_passphrase = user.passphrase;
  } else if (state.source && stage === 'promote') {
    rotation.user_cert = state.source.cert ?? state.source.pkcs12;
  }
  const { ok, outcome } = await storeStage(session, state, rotation, describeStep(step), progress);
  if (!ok) return false;
  const r = rotationResult(outcome);
  if (stage === 'prepare' && r) {
    state.ca = String(r.ca);
    state.cas = (r.cas as string[]) ?? [state.ca];
    const serials = (m: unknown) =>
      Object.fromEntries(
        Object.entries((m ?? {}) as Record<string, { serial: string }>).map(([k, v]) => [k, v.serial]),
      );
    // The serials from before the rotation are kept from the first prepare: a resumed one sees the same.
    if (Object.keys(state.old_serials).length === 0) state.old_serials = serials(r.old);
    state.new_serials = serials(r.next);
  }
  return true;
}

/** Every host runs the CA playbook and each deployed service's playbook; false when any host failed. */
export async function fleetStage(
  session: Session,
  state: RotationState,
  stage: FleetStage,
  progress: Progress,
): Promise<boolean> {
  const inventory = session.loaded.inventory;
  const playbooks = [
    ...(usesServiceCa(inventory) ? [CA_PLAYBOOK] : []),
    ...deployed(inventory).map((d) => d.service.playbook),
  ];
  const outcome = new Map<string, HostOutcome>();
  const failures: string[] = [];
  for (const playbook of playbooks) {
    const o = await session.run({ playbook, extra: { ovnctl_ca_rotation_stage: stage } });
    progress.record(describeStep(stage), o);
    failures.push(...o.failures);
    for (const h of Object.keys(o.summary.stats)) if (!outcome.has(h)) outcome.set(h, 'ok');
    for (const h of o.summary.failedHosts) if (outcome.get(h) !== 'unreachable') outcome.set(h, 'failed');
    for (const h of o.summary.unreachableHosts) outcome.set(h, 'unreachable');
  }
  for (const [h, result] of outcome) state.hosts[h] = { ...state.hosts[h], [stage]: result };
  const bad = [...outcome].filter(([, r]) => r !== 'ok');
  if (bad.length > 0) {
    state.last_error = failures.join('; ') || `${stage} failed on ${bad.map(([h]) => h).join(', ')}`;
    return false;
  }
  return true;
}

export async function rotateCommand(
  session: Session,
  req: RotateRequest,
  progress: Progress,
): Promise<number> {
  const configDir = session.loaded.configDir;
  const state = start(session, req, progress);
  for (let i = STEPS.indexOf(state.next as Step); i >= 0 && i < STEPS.length; i++) {
    const step = STEPS[i] as Step;
    const ok =
      step === 'trust' || step === 'reissue' || step === 'cleanup'
        ? await fleetStage(session, state, step, progress)
        : await storeStep(session, state, step, req.user, progress);
    if (!ok) {
      writeState(configDir, state);
      progress.say(`stopped at ${describeStep(step)}: ${state.last_error}`);
      progress.say(
        'every host still serves a certificate its clients trust; fix the cause, then run the same command again to resume',
      );
      return Math.max(progress.exitCode(), 2);
    }
    delete state.last_error;
    state.next = STEPS[i + 1] ?? 'done';
    writeState(configDir, state);
  }
  progress.say(
    `CA rotation ${state.id} of ${state.ca} complete: ${state.cas.map((c) => `${c} ${state.old_serials[c] ?? '?'} -> ${state.new_serials[c] ?? '?'}`).join(', ')}`,
  );
  return progress.exitCode();
}
