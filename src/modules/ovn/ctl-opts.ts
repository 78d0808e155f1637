/**
 * `ovn_ctl_opts`: manages some `--name=value` words of the OVN_CTL_OPTS assignment in
 * /etc/default/ovn-central (or ovn-host), which systemd passes word-split to ovn-ctl. Words the
 * operator put there for other purposes stay as they are, in their order.
 */
import { fail, planOrFail } from '../builtin/support/failure.js';
import { defineModule, type Plan } from '../types.js';
import { because } from './common.js';

export interface CtlOptsParams {
  path?: string;
  variable?: string;
  /** `--name: value` (value null removes every `--name` word). */
  options: Record<string, string | number | boolean | null>;
  mode?: string | number;
}

export interface Assignment {
  /** Offsets of the value text (after `=`) in the file. */
  start: number;
  end: number;
  value: string;
}

/** Reads one shell word starting at `i` (quotes and backslash-newline understood, expansions refused). */
function readWord(text: string, i: number, where: string): { value: string; end: number } {
  let value = '';
  let j = i;
  const expansion = () =>
    fail(`${where} uses shell expansion ($ or \`): ovnctl does not rewrite it; simplify the line`);
  while (j < text.length) {
    const c = text[j] as string;
    if (c === '"') {
      j++;
      while (j < text.length && text[j] !== '"') {
        if (text[j] === '\\' && j + 1 < text.length) {
          const n = text[j + 1] as string;
          if (n === '\n') j += 2;
          else if ('"\\$`'.includes(n)) {
            value += n;
            j += 2;
          } else {
            value += '\\';
            j++;
          }
          continue;
        }
        if (text[j] === '$' || text[j] === '`') expansion();
        value += text[j];
        j++;
      }
      if (j >= text.length) fail(`${where}: unterminated double quote`);
      j++;
    } else if (c === "'") {
      const close = text.indexOf("'", j + 1);
      if (close < 0) fail(`${where}: unterminated single quote`);
      value += text.slice(j + 1, close);
      j = close + 1;
    } else if (c === '\\' && text[j + 1] === '\n') {
      j += 2;
    } else if (/\s/.test(c) || c === ';' || c === '#') {
      break;
    } else {
      if (c === '$' || c === '`') expansion();
      value += c;
      j++;
    }
  }
  return { value, end: j };
}

/** The last top-level `VAR=` assignment of a shell fragment, or null. */
export function findAssignment(text: string, variable: string, where: string): Assignment | null {
  const re = new RegExp(`^[ \\t]*(?:export[ \\t]+)?${variable}=`, 'gm');
  let found: Assignment | null = null;
  for (const m of text.matchAll(re)) {
    const start = (m.index ?? 0) + m[0].length;
    const { value, end } = readWord(text, start, where);
    found = { start, end, value };
  }
  return found;
}

function quote(value: string): string {
  return `"${value.replace(/(["\\$`])/g, '\\$1')}"`;
}

/** The option words with `options` applied: replaced in place, appended when new, removed when null. */
export function applyOptions(words: readonly string[], options: CtlOptsParams['options']): string[] {
  let out = [...words];
  for (const [name, v] of Object.entries(options)) {
    if (!/^--[A-Za-z0-9][A-Za-z0-9-]*$/.test(name))
      fail(`options: "${name}" is not an option name like --db-sb-cluster-local-proto`);
    const text = v === null ? null : `${name}=${typeof v === 'boolean' ? (v ? 'yes' : 'no') : String(v)}`;
    if (text !== null && /\s/.test(text))
      fail(`options: the value of ${name} contains white space, which ovn-ctl would split`);
    const matches = (w: string) => w === name || w.startsWith(`${name}=`);
    const at = out.findIndex(matches);
    const kept = out.filter((w) => !matches(w));
    if (text !== null)
      kept.splice(at < 0 ? kept.length : out.slice(0, at).filter((w) => !matches(w)).length, 0, text);
    out = kept;
  }
  return out;
}

export const ovnCtlOptsModule = defineModule<CtlOptsParams>({
  name: 'ovn_ctl_opts',
  schema: 'ovn_ctl_opts',
  plan: (p, ctx) =>
    planOrFail(async (): Promise<Plan> => {
      const path = p.path || '/etc/default/ovn-central';
      const variable = p.variable || 'OVN_CTL_OPTS';
      if (!path.startsWith('/')) fail(`path must be absolute, got "${path}"`);
      if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(variable))
        fail(`variable "${variable}" is not a shell variable name`);
      const mode = typeof p.mode === 'number' ? p.mode : Number.parseInt(String(p.mode ?? '0644'), 8);
      if (!Number.isInteger(mode) || mode < 0 || mode > 0o777) fail(`mode must be octal like "0644"`);
      const before = await ctx.target.read(path);
      const text = before?.toString('utf8') ?? '';
      const found = findAssignment(text, variable, `${path}: ${variable}`);
      const words = found ? found.value.split(/\s+/).filter((w) => w !== '') : [];
      const after = applyOptions(words, p.options);
      const result = { path, variable, options: after };
      if (found && after.join(' ') === words.join(' ')) return { steps: [], result };
      if (!found && after.length === 0) return { steps: [], result };
      const line = quote(after.join(' '));
      const content = found
        ? text.slice(0, found.start) + line + text.slice(found.end)
        : `${text}${text === '' || text.endsWith('\n') ? '' : '\n'}# Options managed by ovnctl are merged into this line.\n${variable}=${line}\n`;
      const changed = Object.keys(p.options).filter((k) => {
        const m = (w: string) => w === k || w.startsWith(`${k}=`);
        return words.filter(m).join(' ') !== after.filter(m).join(' ');
      });
      return {
        steps: [
          {
            kind: 'write',
            path,
            mode: before ? ((await ctx.target.stat(path))?.mode ?? mode) : mode,
            content: Buffer.from(content),
            before,
            sensitive: false,
            why: because(ctx, `${before ? 'update' : 'create'} ${path}: ${variable} ${changed.join(', ')}`),
          },
        ],
        result,
      };
    }),
});
