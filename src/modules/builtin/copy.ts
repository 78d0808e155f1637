import { looksLikePrivateKey } from '../../report/redact.js';
import { defineModule, type PlanContext } from '../types.js';
import { planFileContent, sha256Hex } from './support/content.js';
import { findControllerFile, readControllerFile } from './support/controller-files.js';
import { resolveDestination } from './support/destination.js';
import { fail, planOrFail } from './support/failure.js';
import type { ModeSpec } from './support/mode.js';
import { type OwnershipParams, requestedOwnership } from './support/ownership.js';

export interface CopyParams extends OwnershipParams {
  content?: unknown;
  src?: string;
  dest: string;
  mode?: ModeSpec;
  force?: boolean;
  backup?: boolean;
  /** Only used by Ansible for directories a recursive copy creates; ovnctl copies single files. */
  directory_mode?: ModeSpec;
  validate?: string;
}

/** Ansible serialises a dict or list `content` as JSON. */
function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (content !== null && typeof content === 'object') return JSON.stringify(content);
  return String(content);
}

async function source(ctx: PlanContext, p: CopyParams): Promise<{ data: Buffer; mode?: number }> {
  if (p.src !== undefined && p.content !== undefined) fail('src and content are mutually exclusive');
  if (p.src === undefined) {
    if (p.content === undefined) fail('src (or content) is required');
    if (p.mode === 'preserve') fail("mode 'preserve' needs src, not content");
    return { data: Buffer.from(contentText(p.content), 'utf8') };
  }
  const found = await findControllerFile(ctx, p.src, 'files');
  return { data: await readControllerFile(ctx, found, p.src), mode: found.stat.mode };
}

export const copyModule = defineModule<CopyParams>({
  name: 'copy',
  schema: 'copy',
  plan: (p, ctx) =>
    planOrFail(async () => {
      const src = await source(ctx, p);
      const dest = await resolveDestination(ctx.target, p.dest, p.src, ctx.check);
      const warnings = p.backup ? ['backup is not supported by ovnctl and was ignored'] : [];
      const result = { dest: dest.path, checksum: sha256Hex(src.data), size: src.data.length };
      if (p.force === false && dest.stat !== null) return { steps: [], result, warnings };
      const steps = await planFileContent(ctx.target, {
        path: dest.path,
        stat: dest.stat,
        content: src.data,
        mode: p.mode === 'preserve' ? src.mode : p.mode,
        ownership: requestedOwnership(p),
        sensitive: looksLikePrivateKey(src.data.toString('utf8')),
        validate: p.validate,
      });
      return { steps, result, warnings };
    }),
});
