import { defineModule } from '../types.js';
import { fail, planOrFail } from './support/failure.js';
import { shellQuote } from './support/shell.js';

export interface ServiceParams {
  name: string;
  state?: 'started' | 'stopped' | 'restarted' | 'reloaded';
  /** An explicit command run instead of the service manager (e.g. `haproxy -sf ...`). */
  command?: string;
}

const VERB = { started: 'start', stopped: 'stop', restarted: 'restart', reloaded: 'reload' } as const;

/**
 * `ovnctl_service_command` (a host variable) replaces `systemctl {verb} {name}` for hosts without
 * systemd, e.g. `rc-service {name} {verb}`. Its placeholders use single braces so that the
 * engine's Jinja templating of variables leaves them alone; values are shell-quoted.
 */
function managerCommand(template: unknown, name: string, state: keyof typeof VERB): string {
  const pattern =
    typeof template === 'string' && template.trim() !== '' ? template : 'systemctl {verb} {name}';
  const values: Record<string, string> = { verb: VERB[state], name, state };
  return pattern.replace(/\{(verb|name|state)\}/g, (_, key: string) => shellQuote(values[key] ?? ''));
}

/**
 * Always one exec step (so always "changed"): it is meant for handlers, which only run after a
 * change; ovnctl does not query the service manager for the current state.
 */
export const serviceModule = defineModule<ServiceParams>({
  name: 'service',
  schema: 'service',
  plan: (p, ctx) =>
    planOrFail(async () => {
      if (p.command !== undefined) {
        return {
          steps: [{ kind: 'exec', command: p.command, why: `run ${p.command} for service ${p.name}` }],
        };
      }
      if (p.state === undefined) fail(`service ${p.name}: state (or command) is required`);
      const command = managerCommand(ctx.vars.ovnctl_service_command, p.name, p.state);
      return {
        steps: [{ kind: 'exec', command, why: `${VERB[p.state]} service ${p.name}` }],
        result: { name: p.name, state: p.state },
      };
    }),
});
