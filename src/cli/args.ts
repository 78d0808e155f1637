import { parseArgs } from 'node:util';
import { OvnctlError } from '../errors.js';

/** Options shared by every command that loads an inventory. */
export const COMMON_OPTIONS = {
  inventory: { type: 'string', short: 'i', multiple: true },
  'extra-vars': { type: 'string', short: 'e', multiple: true },
  limit: { type: 'string', short: 'l' },
  'config-dir': { type: 'string' },
  'vault-password-file': { type: 'string', multiple: true },
  'vault-id': { type: 'string', multiple: true },
  verbose: { type: 'boolean', short: 'v', multiple: true },
  output: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const RUN_OPTIONS = {
  ...COMMON_OPTIONS,
  check: { type: 'boolean', short: 'C' },
  diff: { type: 'boolean', short: 'D' },
  tags: { type: 'string', short: 't', multiple: true },
  'skip-tags': { type: 'string', multiple: true },
  forks: { type: 'string', short: 'f' },
  'list-hosts': { type: 'boolean' },
  'list-tasks': { type: 'boolean' },
  'list-tags': { type: 'boolean' },
  'syntax-check': { type: 'boolean' },
  user: { type: 'string', short: 'u' },
  'private-key': { type: 'string' },
  timeout: { type: 'string', short: 'T' },
  'host-key-checking': { type: 'string' },
  become: { type: 'boolean', short: 'b' },
  'become-user': { type: 'string' },
  'ask-become-pass': { type: 'boolean', short: 'K' },
  'become-password-file': { type: 'string' },
  'ssh-passphrase-file': { type: 'string' },
} as const;

export type OptionSpec = Record<string, { type: 'string' | 'boolean'; short?: string; multiple?: boolean }>;

export interface ParsedArgs {
  values: Record<string, string | boolean | (string | boolean)[] | undefined>;
  positionals: string[];
}

export function parseCommandArgs(argv: readonly string[], options: OptionSpec, command: string): ParsedArgs {
  try {
    const { values, positionals } = parseArgs({
      args: [...argv],
      options,
      allowPositionals: true,
      strict: true,
    });
    return { values: values as ParsedArgs['values'], positionals };
  } catch (e) {
    const msg = e instanceof Error ? e.message.replace(/^.*?: /, '') : String(e);
    throw new OvnctlError('usage', `ovnctl ${command}: ${msg}`, { hint: `see ovnctl ${command} --help` });
  }
}

export function str(v: ParsedArgs['values'][string]): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function list(v: ParsedArgs['values'][string]): string[] {
  if (Array.isArray(v)) return v.map(String);
  return typeof v === 'string' ? [v] : [];
}

export function count(v: ParsedArgs['values'][string]): number {
  return Array.isArray(v) ? v.length : v ? 1 : 0;
}

/** `-t a,b -t c` -> [a, b, c] */
export function commaList(v: ParsedArgs['values'][string]): string[] {
  return list(v).flatMap((s) =>
    s
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
  );
}
