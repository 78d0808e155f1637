import type { FileStat } from '../../../transport/types.js';
import type { Facts, Ownership } from '../../types.js';
import { fail } from './failure.js';

export interface OwnershipParams {
  owner?: string | number;
  group?: string | number;
}

/** The owner/group to ask the transport for (names or numeric ids as text). */
export function requestedOwnership(params: OwnershipParams): Ownership {
  return {
    ...(params.owner !== undefined ? { owner: String(params.owner) } : {}),
    ...(params.group !== undefined ? { group: String(params.group) } : {}),
  };
}

async function resolveId(facts: Facts, kind: 'user' | 'group', name: string): Promise<number> {
  if (/^\d+$/.test(name)) return Number(name);
  const id = await facts.lookupId(kind, name);
  if (id === null) fail(`chown failed: failed to look up ${kind} ${name}`);
  return id;
}

/** Fails early (in planning, also in check mode) when an owner or group does not exist on the target. */
export async function checkOwnershipExists(facts: Facts, wanted: Ownership): Promise<void> {
  if (wanted.owner !== undefined) await resolveId(facts, 'user', wanted.owner);
  if (wanted.group !== undefined) await resolveId(facts, 'group', wanted.group);
}

/** The requested owner/group that differ from the path's current ones. */
export async function ownershipDrift(facts: Facts, stat: FileStat, wanted: Ownership): Promise<Ownership> {
  const drift: Ownership = {};
  if (wanted.owner !== undefined && (await resolveId(facts, 'user', wanted.owner)) !== stat.uid) {
    drift.owner = wanted.owner;
  }
  if (wanted.group !== undefined && (await resolveId(facts, 'group', wanted.group)) !== stat.gid) {
    drift.group = wanted.group;
  }
  return drift;
}
