import { defineModule } from '../types.js';
import { type CommandCommon, planCommand } from './support/command-plan.js';
import { fail, planOrFail } from './support/failure.js';
import { shellQuote } from './support/shell.js';

export interface ShellParams extends CommandCommon {
  cmd?: string;
  /** Another shell than /bin/sh (e.g. /bin/bash), run as `<executable> -c <cmd>`. */
  executable?: string;
}

/** Runs the command through `/bin/sh -c` (or `<executable> -c`): pipes, redirections and variables work. */
export const shellModule = defineModule<ShellParams>({
  name: 'shell',
  schema: 'shell',
  freeForm: true,
  plan: (p, ctx) =>
    planOrFail(async () => {
      if (p.cmd === undefined || p.cmd.trim() === '') fail('no command given');
      // Explicit, so the result does not depend on the login shell of the remote user.
      const command = `${shellQuote(p.executable ?? '/bin/sh')} -c ${shellQuote(p.cmd)}`;
      return planCommand(ctx, p, p.cmd, command, p.cmd);
    }),
});
