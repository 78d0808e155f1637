import { looksLikePrivateKey } from '../../report/redact.js';
import { renderString } from '../../template/index.js';
import { defineModule, type PlanContext } from '../types.js';
import { planFileContent, sha256Hex } from './support/content.js';
import { type ControllerFile, findControllerFile, readControllerFile } from './support/controller-files.js';
import { resolveDestination } from './support/destination.js';
import { planOrFail } from './support/failure.js';
import type { ModeSpec } from './support/mode.js';
import { type OwnershipParams, requestedOwnership } from './support/ownership.js';
import { moduleTemplateOptions } from './support/template-options.js';

export interface TemplateParams extends OwnershipParams {
  src: string;
  dest: string;
  mode?: ModeSpec;
  force?: boolean;
  backup?: boolean;
  validate?: string;
  trim_blocks?: boolean;
}

function trailingNewlines(text: string): number {
  let n = 0;
  while (text.endsWith('\n'.repeat(n + 1))) n++;
  return n;
}

/** Text of a rendered value; Ansible's template module always produces text. */
function asText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value !== null && typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function render(
  ctx: PlanContext,
  p: TemplateParams,
  file: ControllerFile,
  source: string,
  dest: string,
): string {
  const vars = {
    ansible_managed: 'Ansible managed',
    ...ctx.vars,
    template_path: file.path,
    template_fullpath: file.path,
    template_destpath: dest,
    template_uid: file.stat.uid,
  };
  const out = asText(
    renderString(source, vars, {
      ...moduleTemplateOptions(ctx),
      location: { file: file.path },
      trimBlocks: p.trim_blocks ?? true,
      // The template module produces text and processes escapes as Jinja does.
      convertData: false,
      escapeBackslashes: false,
    }),
  );
  // Like Ansible's template module, keep the template's trailing newlines (Jinja drops one).
  const missing = trailingNewlines(source) - trailingNewlines(out);
  return missing > 0 ? out + '\n'.repeat(missing) : out;
}

export const templateModule = defineModule<TemplateParams>({
  name: 'template',
  schema: 'template',
  plan: (p, ctx) =>
    planOrFail(async () => {
      const found = await findControllerFile(ctx, p.src, 'templates');
      const source = (await readControllerFile(ctx, found, p.src)).toString('utf8');
      const dest = await resolveDestination(ctx.target, p.dest, p.src, ctx.check);
      if (p.force === false && dest.stat !== null) return { steps: [] };
      const text = render(ctx, p, found, source, dest.path);
      const content = Buffer.from(text, 'utf8');
      const warnings = p.backup ? ['backup is not supported by ovnctl and was ignored'] : [];
      const steps = await planFileContent(ctx.target, {
        path: dest.path,
        stat: dest.stat,
        content,
        mode: p.mode === 'preserve' ? found.stat.mode : p.mode,
        ownership: requestedOwnership(p),
        sensitive: looksLikePrivateKey(text),
        validate: p.validate,
      });
      return {
        steps,
        warnings,
        result: { dest: dest.path, checksum: sha256Hex(content), size: content.length },
      };
    }),
});
