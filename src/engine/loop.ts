import { OvnctlError, type SourceLocation } from '../errors.js';
import type { ModuleTask } from '../playbook/model.js';
import { renderDeep } from '../template/index.js';

type Decrypt = ((envelope: string) => string) | undefined;

function render(
  value: unknown,
  vars: Record<string, unknown>,
  location: SourceLocation,
  decrypt: Decrypt,
): unknown {
  return renderDeep(value, vars, {
    location,
    ...(decrypt ? { decryptVault: (v: { envelope: string }) => decrypt(v.envelope) } : {}),
  });
}

/** `loop:` or a `with_*` lookup turned into the list of items. */
export function expandLoop(
  loop: unknown,
  vars: Record<string, unknown>,
  location: SourceLocation,
  decrypt: Decrypt,
): unknown[] {
  if (loop && typeof loop === 'object' && '__with' in loop) {
    const { __with, value } = loop as { __with: string; value: unknown };
    const v = render(value, vars, location, decrypt);
    switch (__with) {
      case 'dict': {
        if (!v || typeof v !== 'object' || Array.isArray(v))
          throw new OvnctlError('template', 'with_dict expects a mapping', { location });
        return Object.entries(v).map(([key, val]) => ({ key, value: val }));
      }
      case 'indexed':
        return (Array.isArray(v) ? v : [v]).map((x, i) => [i, x]);
      case 'sequence': {
        const m = /^(?:start=)?(\d+)?\s*(?:end=)?(\d+)(?:\s+stride=(\d+))?(?:\s+format=(.*))?$/.exec(
          String(v).trim(),
        );
        if (!m) throw new OvnctlError('template', `cannot parse with_sequence '${String(v)}'`, { location });
        const out: string[] = [];
        for (let i = Number(m[1] ?? 1); i <= Number(m[2]); i += Number(m[3] ?? 1))
          out.push(
            m[4]
              ? m[4].replace(/%0?(\d*)d/, (_, w: string) => String(i).padStart(Number(w || 0), '0'))
              : String(i),
          );
        return out;
      }
      default:
        // with_items flattens one level, as in Ansible.
        return (Array.isArray(v) ? v : [v]).flatMap((x) => (Array.isArray(x) ? x : [x]));
    }
  }
  const v = render(loop, vars, location, decrypt);
  if (!Array.isArray(v))
    throw new OvnctlError('template', `loop expects a list, got ${v === null ? 'null' : typeof v}`, {
      location,
      hint: 'use `| dict2items` to loop over a mapping',
    });
  return v;
}

export function loopLabel(task: ModuleTask, vars: Record<string, unknown>, item: unknown): string {
  if (task.loopLabel !== undefined) return String(render(task.loopLabel, vars, task.location, undefined));
  return typeof item === 'string' ? item : JSON.stringify(item);
}
