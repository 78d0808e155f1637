import { defineModule } from '../types.js';
import { fail, planOrFail } from './support/failure.js';
import { editLine } from './support/line-edit.js';
import type { ModeSpec } from './support/mode.js';
import { type OwnershipParams, requestedOwnership } from './support/ownership.js';
import { planEditedFile, readEditedFile } from './support/text-file.js';

export interface LineinfileParams extends OwnershipParams {
  path?: string;
  dest?: string;
  destfile?: string;
  name?: string;
  line?: string;
  regexp?: string;
  state?: 'present' | 'absent';
  create?: boolean;
  insertafter?: string;
  insertbefore?: string;
  mode?: ModeSpec;
  backup?: boolean;
  validate?: string;
}

export const lineinfileModule = defineModule<LineinfileParams>({
  name: 'lineinfile',
  schema: 'lineinfile',
  plan: (p, ctx) =>
    planOrFail(async () => {
      const path = p.path ?? p.dest ?? p.destfile ?? p.name;
      if (path === undefined) fail('path is required');
      const present = (p.state ?? 'present') === 'present';
      if (present && p.line === undefined) fail('line is required with state=present');
      if (!present && p.line === undefined && p.regexp === undefined) {
        fail('one of line or regexp is required with state=absent');
      }
      if (p.insertafter !== undefined && p.insertbefore !== undefined) {
        fail('parameters are mutually exclusive: insertbefore|insertafter');
      }
      if (!present && (await ctx.target.stat(path)) === null) return { steps: [], msg: 'file not present' };
      const file = await readEditedFile(ctx.target, path, p.create === true);
      const text = editLine(
        file.text,
        { line: p.line, regexp: p.regexp, present, insertafter: p.insertafter, insertbefore: p.insertbefore },
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
