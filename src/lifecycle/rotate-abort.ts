/**
 * `certificates regenerate-ca --abort` (or `set-ca --abort`): abandon a CA rotation that has not
 * promoted its new CA yet. Until promote the old CA is current and every leaf is still issued by
 * it, so dropping the new CA from the bundles is safe; after promote it is not (leaves may come
 * from the new CA), and the rotation can only be finished.
 *   abort (PKI store)  the staged next CAs and the old+new trust bundles are removed
 *   abort (hosts)      every host runs the CA and service playbooks: bundles with the old CA only
 * `aborting` is set before anything changes, so a failed or interrupted abort is resumed by the
 * same command and a plain regenerate-ca refuses to go forward from it.
 */
import { OvnctlError } from '../errors.js';
import type { Progress } from './outcome.js';
import { fleetStage, rotationResult, storeStage } from './rotate.js';
import {
  ABORTABLE,
  describeStep,
  inProgress,
  type RotationState,
  readState,
  type Step,
  writeState,
} from './rotation-state.js';
import type { Session } from './session.js';

const caName = (s: RotationState): string => s.ca || 'the root of the service CA';

function pastPromote(s: RotationState): OvnctlError {
  return new OvnctlError(
    'usage',
    `the CA rotation ${s.id} of ${caName(s)} is past promote (next: ${describeStep(s.next)}): the new CA is already current and leaves may already be reissued from it, so it cannot be aborted; the only way out is forward`,
    { hint: 'finish it: ovnctl certificates regenerate-ca (resumes the rotation)' },
  );
}

/** The rotation to abort, or a usage error (nothing is changed by a refusal). */
function abortable(session: Session): RotationState {
  const state = readState(session.loaded.configDir);
  if (!inProgress(state)) throw new OvnctlError('usage', 'no CA rotation is in progress');
  if (!state.aborting && !ABORTABLE.includes(state.next as Step)) throw pastPromote(state);
  return state;
}

export async function abortCommand(session: Session, progress: Progress): Promise<number> {
  const configDir = session.loaded.configDir;
  const state = abortable(session);
  const resumed = state.aborting === true;
  const before = structuredClone(state);
  progress.say(
    `${resumed ? 'resuming the abort of' : 'aborting'} the ${state.kind} rotation ${state.id} of ${caName(state)} (it was at ${describeStep(state.next)})`,
  );
  session.security.write({
    category: 'AUTHZ',
    event: 'authz_admin',
    action: 'abort_ca_rotation',
    ca: state.ca || '(root of the service CA)',
    rotation: state.id,
    at: describeStep(state.next),
    ...(resumed ? { resume: true } : {}),
    command: session.command,
  });
  state.aborting = true;
  writeState(configDir, state);

  const store = await storeStage(
    session,
    state,
    { stage: 'abort', ca: state.ca, new_serials: state.new_serials },
    'abort (PKI store)',
    progress,
  );
  const r = rotationResult(store.outcome);
  if (!store.ok) {
    if (Array.isArray(r?.promoted) && r.promoted.length > 0) {
      // Refused before anything was removed (a promote that stopped halfway): forward is the way,
      // so the state goes back to what it was and regenerate-ca can resume.
      writeState(configDir, before);
      throw pastPromote(before);
    }
    return stopped(configDir, state, progress, 'abort (PKI store)');
  }
  // A rotation stopped in its first prepare has not recorded which CAs it covers yet.
  if (!state.ca && typeof r?.ca === 'string') state.ca = r.ca;
  if (state.cas.length === 0 && Array.isArray(r?.cas)) state.cas = r.cas.map(String);
  if (!(await fleetStage(session, state, 'abort', progress)))
    return stopped(configDir, state, progress, describeStep('abort'));

  delete state.aborting;
  delete state.last_error;
  state.next = 'done';
  state.aborted = new Date().toISOString();
  writeState(configDir, state);
  progress.say(
    `CA rotation ${state.id} of ${caName(state)} aborted: every host trusts the current CA only${state.cas.length ? ` (${state.cas.map((c) => `${c} ${state.old_serials[c] ?? '?'}`).join(', ')})` : ''}`,
  );
  return progress.exitCode();
}

function stopped(configDir: string, state: RotationState, progress: Progress, where: string): number {
  writeState(configDir, state);
  progress.say(`abort stopped at ${where}: ${state.last_error}`);
  progress.say('fix the cause, then run ovnctl certificates regenerate-ca --abort again to finish the abort');
  return Math.max(progress.exitCode(), 2);
}
