import { isAbsolute, join } from 'node:path';
import type { FileStat } from '../../../transport/types.js';
import type { PlanContext } from '../../types.js';
import { fail } from './failure.js';

export interface ControllerFile {
  path: string;
  stat: FileStat;
}

function varString(ctx: PlanContext, name: string): string | undefined {
  const v = ctx.vars[name];
  return typeof v === 'string' && v !== '' ? v : undefined;
}

/**
 * Where Ansible looks for a relative `src`: the role's `files/` or `templates/`, then the same
 * directory beside the playbook, then the playbook directory itself.
 */
export function searchPaths(ctx: PlanContext, src: string, subdir: 'files' | 'templates'): string[] {
  if (isAbsolute(src)) return [src];
  const paths: string[] = [];
  const rolePath = varString(ctx, 'role_path');
  const playbookDir = varString(ctx, 'playbook_dir');
  if (rolePath) paths.push(join(rolePath, subdir, src), join(rolePath, src));
  if (playbookDir) paths.push(join(playbookDir, subdir, src), join(playbookDir, src));
  if (paths.length === 0) paths.push(join(ctx.configDir, src));
  return paths;
}

/** The first existing candidate on the controller, or a failure listing where it looked. */
export async function findControllerFile(
  ctx: PlanContext,
  src: string,
  subdir: 'files' | 'templates',
): Promise<ControllerFile> {
  const candidates = searchPaths(ctx, src, subdir);
  for (const path of candidates) {
    const stat = await ctx.controller.stat(path);
    if (stat) return { path, stat };
  }
  fail(`Could not find or access '${src}' on the controller (searched: ${candidates.join(', ')})`);
}

export async function readControllerFile(
  ctx: PlanContext,
  file: ControllerFile,
  src: string,
): Promise<Buffer> {
  if (file.stat.type === 'directory') {
    fail(`src '${src}' is a directory (${file.path}); ovnctl copies single files only`);
  }
  const data = await ctx.controller.read(file.path);
  if (data === null) fail(`Could not read '${src}' on the controller (${file.path})`);
  return data;
}
