import { dirname } from 'node:path/posix';
import type { FileStat } from '../../transport/types.js';
import { defineModule, type Plan, type PlanContext, type Step } from '../types.js';
import { attributeSteps } from './support/attributes.js';
import { fail, planOrFail } from './support/failure.js';
import { formatMode, type ModeSpec, resolveMode } from './support/mode.js';
import { checkOwnershipExists, type OwnershipParams, requestedOwnership } from './support/ownership.js';

export interface FileParams extends OwnershipParams {
  path?: string;
  dest?: string;
  name?: string;
  state?: 'file' | 'directory' | 'absent' | 'touch';
  mode?: ModeSpec;
}

const DEFAULT_FILE_MODE = 0o644;
const DEFAULT_DIR_MODE = 0o755;

function stateText(stat: FileStat | null): string {
  if (!stat) return 'absent';
  return stat.type === 'symlink' ? 'link' : stat.type;
}

function wantedMode(p: FileParams, stat: FileStat | null, isDir: boolean): number | undefined {
  if (p.mode === undefined) return undefined;
  return resolveMode(p.mode, stat?.mode ?? (isDir ? DEFAULT_DIR_MODE : DEFAULT_FILE_MODE), isDir);
}

async function planDirectory(
  ctx: PlanContext,
  p: FileParams,
  path: string,
  stat: FileStat | null,
): Promise<Step[]> {
  const ownership = requestedOwnership(p);
  if (stat?.type === 'directory')
    return attributeSteps(ctx.target, path, stat, wantedMode(p, stat, true), ownership);
  if (stat) fail(`${path} already exists as a ${stateText(stat)}`);
  await checkOwnershipExists(ctx.target, ownership);
  const mode = wantedMode(p, null, true) ?? DEFAULT_DIR_MODE;
  return [{ kind: 'mkdir', path, mode, ...ownership, why: `create directory ${path} (${formatMode(mode)})` }];
}

/**
 * `touch` creates a missing file but, unlike Ansible, does not bump the times of an existing one
 * (as with `modification_time: preserve`), so that a second run reports ok.
 */
async function planTouch(
  ctx: PlanContext,
  p: FileParams,
  path: string,
  stat: FileStat | null,
): Promise<Step[]> {
  const ownership = requestedOwnership(p);
  if (stat && stat.type !== 'symlink') {
    return attributeSteps(ctx.target, path, stat, wantedMode(p, stat, stat.type === 'directory'), ownership);
  }
  const parent = await ctx.target.stat(dirname(path));
  if (parent?.type !== 'directory')
    fail(`Error, could not touch target: directory ${dirname(path)} does not exist`);
  await checkOwnershipExists(ctx.target, ownership);
  const mode = wantedMode(p, null, false) ?? DEFAULT_FILE_MODE;
  return [
    {
      kind: 'write',
      path,
      mode,
      ...ownership,
      content: Buffer.alloc(0),
      before: null,
      sensitive: false,
      why: `create empty file ${path}`,
    },
  ];
}

async function planFile(ctx: PlanContext, p: FileParams, path: string): Promise<Plan> {
  const stat = await ctx.target.stat(path);
  // Like Ansible, an unspecified state keeps the kind of an existing path.
  const state = p.state ?? (stat?.type === 'directory' ? 'directory' : 'file');
  const result = { path, state };
  switch (state) {
    case 'absent':
      return { steps: stat ? [{ kind: 'remove', path, why: `remove ${path}` }] : [], result };
    case 'directory':
      return { steps: await planDirectory(ctx, p, path, stat), result };
    case 'touch':
      return { steps: await planTouch(ctx, p, path, stat), result };
    case 'file':
      if (stat?.type !== 'file') fail(`file (${path}) is ${stateText(stat)}, cannot continue`);
      return {
        steps: await attributeSteps(
          ctx.target,
          path,
          stat,
          wantedMode(p, stat, false),
          requestedOwnership(p),
        ),
        result,
      };
  }
}

export const fileModule = defineModule<FileParams>({
  name: 'file',
  schema: 'file',
  plan: (p, ctx) =>
    planOrFail(async () => {
      const path = p.path ?? p.dest ?? p.name;
      if (path === undefined) fail('path is required');
      return planFile(ctx, p, path);
    }),
});
