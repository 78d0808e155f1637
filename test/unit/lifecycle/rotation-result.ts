/** Reading a ca_rotation plan's result in tests. */
import type { Plan } from '../../../src/modules/types.js';

export interface RotationResult {
  ca?: string;
  cas?: string[];
  old?: Record<string, { serial: string }>;
  next?: Record<string, { serial: string }>;
  promoted?: string[];
  already?: string[];
}

export function rotationOf(plan: Plan): RotationResult {
  return (plan.result?.rotation ?? {}) as RotationResult;
}

/** The serials the rotated CAs had before `prepare`, as `promote` wants them. */
export function oldSerials(plan: Plan): Record<string, string> {
  return Object.fromEntries(Object.entries(rotationOf(plan).old ?? {}).map(([k, v]) => [k, v.serial]));
}

/** The serials `prepare` staged, as `abort` wants them. */
export function newSerials(plan: Plan): Record<string, string> {
  return Object.fromEntries(Object.entries(rotationOf(plan).next ?? {}).map(([k, v]) => [k, v.serial]));
}
