import { OvnctlError } from '../errors.js';
import type { Step } from '../modules/types.js';
import type { ExecResult, Transport } from '../transport/types.js';

export interface ApplyOutcome {
  /** Output of the last exec step (registered as rc/stdout/stderr). */
  exec: ExecResult | undefined;
  /** Set when an exec step failed without allowFailure. */
  failure: string | undefined;
}

const ownership = (s: { owner?: string; group?: string }): { owner?: string; group?: string } => ({
  ...(s.owner !== undefined ? { owner: s.owner } : {}),
  ...(s.group !== undefined ? { group: s.group } : {}),
});

/** Apply planned steps in order; stop at the first failure. */
export async function applySteps(
  transport: Transport,
  steps: readonly Step[],
  becomeUser: string | undefined,
  env: Record<string, string> | undefined = undefined,
): Promise<ApplyOutcome> {
  let exec: ExecResult | undefined;
  for (const step of steps) {
    switch (step.kind) {
      case 'mkdir':
        await transport.mkdir(step.path, { mode: step.mode, ...ownership(step) });
        break;
      case 'write':
        await transport.writeFileAtomic(step.path, step.content, { mode: step.mode, ...ownership(step) });
        break;
      case 'attributes':
        await transport.setAttributes(step.path, {
          ...(step.mode !== undefined ? { mode: step.mode } : {}),
          ...ownership(step),
        });
        break;
      case 'remove':
        await transport.remove(step.path);
        break;
      case 'exec': {
        exec = await transport.exec(step.command, {
          ...(step.stdin !== undefined ? { stdin: step.stdin } : {}),
          ...(becomeUser ? { becomeUser } : {}),
          ...(env ? { env } : {}),
          ...(step.tempPaths ? { tempPaths: step.tempPaths } : {}),
        });
        if (exec.rc !== 0 && !step.allowFailure) {
          const detail = (exec.stderr.trim() || exec.stdout.trim()).split('\n').slice(-5).join('\n');
          return {
            exec,
            failure: `${step.sensitive ? 'command' : step.command} exited with ${exec.rc}${detail ? `: ${detail}` : ''}`,
          };
        }
        break;
      }
      default: {
        const never: never = step;
        throw new OvnctlError('internal', `unknown step ${JSON.stringify(never)}`);
      }
    }
  }
  return { exec, failure: undefined };
}
