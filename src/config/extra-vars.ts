import { isAbsolute, resolve } from 'node:path';
import { OvnctlError } from '../errors.js';
import type { VarSource } from '../inventory/model.js';
import { parseYaml } from '../yaml/load.js';
import { readVarsFile, type VaultDecryptor } from './files.js';

/** Split `k=v k2='a b'` like Python's shlex (quotes group, backslash escapes). */
function splitKeyValues(text: string): string[] {
  const out: string[] = [];
  let cur = '';
  let quote: string | null = null;
  let any = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] as string;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < text.length) cur += text[++i];
      else cur += ch;
    } else if (ch === '"' || ch === "'") {
      quote = ch;
      any = true;
    } else if (/\s/.test(ch)) {
      if (cur || any) out.push(cur);
      cur = '';
      any = false;
    } else cur += ch;
  }
  if (quote) throw new OvnctlError('usage', `unbalanced quote in --extra-vars: ${text}`);
  if (cur || any) out.push(cur);
  return out;
}

/**
 * One `-e` argument: `k=v ...` (values stay strings, as in Ansible), `{json}` / `[yaml]`,
 * or `@file`. A bare path without `@` is an error, as in Ansible.
 */
export function parseExtraVarsArg(
  arg: string,
  index: number,
  cwd: string,
  vault?: VaultDecryptor,
): VarSource {
  const layer = `extra vars (-e #${index + 1})`;
  const text = arg.trim();
  if (text.startsWith('@')) {
    const file = resolve(cwd, text.slice(1));
    return readVarsFile(file, `extra vars (-e @${text.slice(1)})`, vault);
  }
  if (text.startsWith('{') || text.startsWith('[')) {
    const doc = parseYaml(text, `-e #${index + 1}`);
    if (typeof doc.value !== 'object' || doc.value === null || Array.isArray(doc.value)) {
      throw new OvnctlError('usage', `--extra-vars #${index + 1} must be a mapping`, {
        hint: 'e.g. -e \'{"a": 1}\'',
      });
    }
    return { layer, file: '<command line>', vars: doc.value as Record<string, unknown> };
  }
  if (text === '') return { layer, file: '<command line>', vars: {} };
  const vars: Record<string, unknown> = {};
  for (const pair of splitKeyValues(text)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      const hint =
        isAbsolute(pair) || pair.endsWith('.yml') ? `to load a file, write -e @${pair}` : 'use key=value';
      throw new OvnctlError('usage', `invalid --extra-vars argument '${pair}'`, { hint });
    }
    vars[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return { layer, file: '<command line>', vars };
}
