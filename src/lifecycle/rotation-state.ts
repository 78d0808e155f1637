/**
 * Where a CA rotation stands, in `<config dir>/.ovnctl/ca-rotation.json` (0600, written
 * atomically): the next step to run, the CAs' serials before and after, and how each host fared
 * in each fleet stage. `regenerate-ca` resumes from it, `regenerate-ca --abort` ends it as
 * aborted; `list` shows it.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { OvnctlError } from '../errors.js';

/**
 * Steps in order. The operator's three stages are trust (1), reissue (2) and cleanup (3); prepare,
 * promote and finish are the PKI store's part before stage 1, between 1 and 2, and before 3.
 */
export const STEPS = ['prepare', 'trust', 'promote', 'reissue', 'finish', 'cleanup'] as const;
export type Step = (typeof STEPS)[number];
/** `abort` is no forward stage: it hands every host the old CA's bundles back (`regenerate-ca --abort`). */
export type FleetStage = 'trust' | 'reissue' | 'cleanup' | 'abort';
export const FLEET_STAGES: readonly FleetStage[] = ['trust', 'reissue', 'cleanup'];
/** Until promote has run the old CA is still current and no leaf was reissued: the rotation can be undone. */
export const ABORTABLE: readonly Step[] = ['prepare', 'trust', 'promote'];
export type HostOutcome = 'ok' | 'failed' | 'unreachable';

export interface RotationState {
  version: 1;
  id: string;
  kind: 'regenerate-ca' | 'set-ca';
  /** The rotated CA; `cas` adds every authority below it. */
  ca: string;
  cas: string[];
  /** set-ca: the files the CA came from (paths only). */
  source?: { cert?: string; key?: string; pkcs12?: string };
  started: string;
  updated: string;
  /** The next step to run; `done` once the rotation is complete. */
  next: Step | 'done';
  old_serials: Record<string, string>;
  new_serials: Record<string, string>;
  hosts: Record<string, Partial<Record<FleetStage, HostOutcome>>>;
  last_error?: string;
  /** An abort was started and has not finished: only `--abort` may continue (the staged CA may be gone). */
  aborting?: boolean;
  /** When the rotation was abandoned (`next` is then `done`, the old CA still current). */
  aborted?: string;
}

export function stateFile(configDir: string): string {
  return join(configDir, '.ovnctl', 'ca-rotation.json');
}

export function readState(configDir: string): RotationState | null {
  const file = stateFile(configDir);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  try {
    const s = JSON.parse(text) as RotationState;
    if (s.version !== 1 || typeof s.ca !== 'string' || typeof s.next !== 'string') throw new Error('shape');
    return s;
  } catch {
    throw new OvnctlError('invalid-input', `${file} is not a CA rotation state ovnctl can read`, {
      hint: 'restore it from a backup, or move it away to start a new rotation',
    });
  }
}

export function writeState(configDir: string, state: RotationState): void {
  const file = stateFile(configDir);
  mkdirSync(join(configDir, '.ovnctl'), { recursive: true, mode: 0o700 });
  const tmp = `${file}.${randomBytes(4).toString('hex')}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ ...state, updated: new Date().toISOString() }, null, 2)}\n`, {
    mode: 0o600,
  });
  renameSync(tmp, file);
}

export function newState(
  kind: RotationState['kind'],
  ca: string,
  source: RotationState['source'] | undefined,
): RotationState {
  const now = new Date().toISOString();
  return {
    version: 1,
    id: `${now.replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${randomBytes(3).toString('hex')}`,
    kind,
    ca,
    cas: [],
    ...(source ? { source } : {}),
    started: now,
    updated: now,
    next: 'prepare',
    old_serials: {},
    new_serials: {},
    hosts: {},
  };
}

export function inProgress(s: RotationState | null): s is RotationState {
  return s !== null && s.next !== 'done';
}

/** "stage 2/3 (reissue)" for messages. */
export function describeStep(step: Step | FleetStage | 'done'): string {
  if (step === 'done') return 'done';
  if (step === 'abort') return 'abort (hosts back to the old CA)';
  const i = FLEET_STAGES.indexOf(step as FleetStage);
  if (i >= 0) return `stage ${i + 1}/3 (${step})`;
  return `${step} (PKI store)`;
}
