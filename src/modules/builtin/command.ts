import { defineModule } from '../types.js';
import { type CommandCommon, planCommand } from './support/command-plan.js';
import { fail, planOrFail } from './support/failure.js';
import { shellJoin, splitWords } from './support/shell.js';

export interface CommandParams extends CommandCommon {
  /** The free-form command (split like a shell would, but never run through one). */
  cmd?: string;
  argv?: string[];
}

/** Runs a program without a shell: the words are quoted so that `|`, `>` and `$x` stay literal. */
export const commandModule = defineModule<CommandParams>({
  name: 'command',
  schema: 'command',
  freeForm: true,
  plan: (p, ctx) =>
    planOrFail(async () => {
      if (p.cmd !== undefined && p.argv !== undefined) fail('parameters are mutually exclusive: cmd|argv');
      const argv = p.argv ?? (p.cmd === undefined ? [] : splitWords(p.cmd));
      if (argv.length === 0) fail('no command given');
      const command = shellJoin(argv);
      return planCommand(ctx, p, argv, command, command);
    }),
});
