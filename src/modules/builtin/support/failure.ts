import type { Plan } from '../../types.js';

/** A module-level failure (Plan.failed), as opposed to a playbook error (OvnctlError). */
export class PlanFailure extends Error {
  override readonly name = 'PlanFailure';
}

export function fail(message: string): never {
  throw new PlanFailure(message);
}

/** Runs a planner, turning a PlanFailure into a failed plan; other errors propagate. */
export async function planOrFail(planner: () => Promise<Plan>): Promise<Plan> {
  try {
    return await planner();
  } catch (e) {
    if (e instanceof PlanFailure) return { steps: [], failed: e.message };
    throw e;
  }
}
