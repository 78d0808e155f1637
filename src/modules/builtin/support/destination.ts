import { basename, dirname, join } from 'node:path/posix';
import type { FileStat } from '../../../transport/types.js';
import type { Facts } from '../../types.js';
import { fail } from './failure.js';

export interface Destination {
  path: string;
  stat: FileStat | null;
}

/**
 * Where copy/template write: a directory `dest` (or one ending in `/`) receives the source's base
 * name, like Ansible; a missing parent directory is an error (Ansible does not create it either),
 * except in check mode, where an earlier task of the same run may be about to create it.
 */
export async function resolveDestination(
  facts: Facts,
  dest: string,
  srcName: string | undefined,
  check = false,
): Promise<Destination> {
  const stat = await facts.stat(dest);
  if (stat?.type === 'directory' || dest.endsWith('/')) {
    if (srcName === undefined) fail(`can not use content with a dir as dest (${dest})`);
    if (stat?.type !== 'directory') fail(`Destination directory ${dest} does not exist`);
    const path = join(dest, basename(srcName));
    const inner = await facts.stat(path);
    if (inner?.type === 'directory') fail(`${path} is a directory`);
    return { path, stat: inner };
  }
  if (stat === null) {
    const parent = dirname(dest);
    const parentStat = await facts.stat(parent);
    if (parentStat === null && check) return { path: dest, stat: null };
    if (parentStat?.type !== 'directory') fail(`Destination directory ${parent} does not exist`);
  }
  if (stat?.type === 'other') fail(`${dest} exists and is not a regular file`);
  return { path: dest, stat };
}
