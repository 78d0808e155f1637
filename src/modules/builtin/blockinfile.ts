import { defineModule } from '../types.js';
import { editBlock } from './support/block-edit.js';
import { fail, planOrFail } from './support/failure.js';
import type { ModeSpec } from './support/mode.js';
import { type OwnershipParams, requestedOwnership } from './support/ownership.js';
import { planEditedFile, readEditedFile } from './support/text-file.js';

export interface BlockinfileParams extends OwnershipParams {
  path?: string;
  dest?: string;
  destfile?: string;
  name?: string;
  block?: string;
  content?: string;
  marker?: string;
  marker_begin?: string;
  marker_end?: string;
  insertafter?: string;
  insertbefore?: string;
  create?: boolean;
  state?: 'present' | 'absent';
  mode?: ModeSpec;
  backup?: boolean;
  validate?: string;
}

export const blockinfileModule = defineModule<BlockinfileParams>({
  name: 'blockinfile',
  schema: 'blockinfile',
  plan: (p, ctx) =>
    planOrFail(async () => {
      const path = p.path ?? p.dest ?? p.destfile ?? p.name;
      if (path === undefined) fail('path is required');
      if (p.insertafter !== undefined && p.insertbefore !== undefined) {
        fail('parameters are mutually exclusive: insertbefore|insertafter');
      }
      const present = (p.state ?? 'present') === 'present';
      if (!present && (await ctx.target.stat(path)) === null)
        return { steps: [], msg: `File ${path} not present` };
      const file = await readEditedFile(ctx.target, path, p.create === true);
      const marker = p.marker ?? '# {mark} ANSIBLE MANAGED BLOCK';
      const text = editBlock(
        file.text,
        {
          block: p.block ?? p.content ?? '',
          present,
          markerBegin: marker.replaceAll('{mark}', p.marker_begin ?? 'BEGIN'),
          markerEnd: marker.replaceAll('{mark}', p.marker_end ?? 'END'),
          insertafter: p.insertafter,
          insertbefore: p.insertbefore,
        },
        fail,
      );
      const steps = await planEditedFile(ctx.target, file, text, {
        mode: p.mode,
        ownership: requestedOwnership(p),
        validate: p.validate,
      });
      const warnings = p.backup ? ['backup is not supported by ovnctl and was ignored'] : [];
      return { steps, warnings };
    }),
});
