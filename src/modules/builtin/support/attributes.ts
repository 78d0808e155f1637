import type { FileStat } from '../../../transport/types.js';
import type { Facts, Ownership, Step } from '../../types.js';
import { formatMode } from './mode.js';
import { ownershipDrift } from './ownership.js';

/** An `attributes` step for an existing path whose mode or owner differs; none when all match. */
export async function attributeSteps(
  facts: Facts,
  path: string,
  stat: FileStat,
  mode: number | undefined,
  wanted: Ownership,
): Promise<Step[]> {
  const drift = await ownershipDrift(facts, stat, wanted);
  const modeDrifts = mode !== undefined && mode !== stat.mode;
  if (!modeDrifts && drift.owner === undefined && drift.group === undefined) return [];
  const changes: string[] = [];
  if (modeDrifts) changes.push(`mode ${formatMode(stat.mode)} -> ${formatMode(mode)}`);
  if (drift.owner !== undefined) changes.push(`owner uid ${stat.uid} -> ${drift.owner}`);
  if (drift.group !== undefined) changes.push(`group gid ${stat.gid} -> ${drift.group}`);
  return [
    {
      kind: 'attributes',
      path,
      ...(modeDrifts ? { mode } : {}),
      ...drift,
      why: `${path}: ${changes.join(', ')}`,
    },
  ];
}
