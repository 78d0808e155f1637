import { isAbsolute } from 'node:path/posix';
import type { Plan, PlanContext } from '../../types.js';
import { hasGlob, shellGlob, shellQuote } from './shell.js';

export interface CommandCommon {
  chdir?: string;
  creates?: string;
  removes?: string;
  stdin?: string;
  stdin_add_newline?: boolean;
}

async function pathExists(ctx: PlanContext, path: string): Promise<boolean> {
  if (!hasGlob(path)) return (await ctx.target.stat(path)) !== null;
  const probe = `for p in ${shellGlob(path)}; do [ -e "$p" ] && exit 0; done; exit 1`;
  return (await ctx.target.query(probe)).rc === 0;
}

function relativeTo(chdir: string | undefined, path: string): string {
  return chdir && !isAbsolute(path) ? `${chdir.replace(/\/$/, '')}/${path}` : path;
}

/** The plan of a command that is not run, with a result shaped like a run's (rc 0, empty output). */
function notRun(cmd: unknown, msg: string, stdout: string): Plan {
  return {
    steps: [],
    msg,
    result: { cmd, rc: 0, stdout, stderr: '', stdout_lines: stdout ? [stdout] : [], stderr_lines: [] },
  };
}

/**
 * The plan shared by command and shell: `creates`/`removes` (relative to `chdir`, globs allowed)
 * may make it a no-op; in check mode it is skipped; otherwise one exec step.
 */
export async function planCommand(
  ctx: PlanContext,
  p: CommandCommon,
  cmd: unknown,
  command: string,
  shown: string,
): Promise<Plan> {
  if (p.creates !== undefined && (await pathExists(ctx, relativeTo(p.chdir, p.creates)))) {
    return notRun(
      cmd,
      `Did not run command since '${p.creates}' exists`,
      `skipped, since ${p.creates} exists`,
    );
  }
  if (p.removes !== undefined && !(await pathExists(ctx, relativeTo(p.chdir, p.removes)))) {
    return notRun(
      cmd,
      `Did not run command since '${p.removes}' does not exist`,
      `skipped, since ${p.removes} does not exist`,
    );
  }
  if (ctx.check) {
    // Registered results still get the keys later tasks read, so they do not crash on `.stdout`.
    return {
      steps: [],
      skipped: 'skipped in check mode',
      result: { cmd, stdout: '', stderr: '', stdout_lines: [], stderr_lines: [] },
    };
  }
  const full = p.chdir === undefined ? command : `cd ${shellQuote(p.chdir)} && ${command}`;
  const stdin = p.stdin === undefined ? undefined : p.stdin_add_newline === false ? p.stdin : `${p.stdin}\n`;
  return {
    steps: [{ kind: 'exec', command: full, ...(stdin !== undefined ? { stdin } : {}), why: `run ${shown}` }],
    result: { cmd },
  };
}
