import { execFile } from 'node:child_process';
import { readFile, stat } from 'node:fs/promises';
import { homedir } from 'node:os';
import { basename, resolve } from 'node:path';
import { OvnctlError } from '../errors.js';

/** Where one vault password comes from: `--vault-id label@source` or `--vault-password-file`. */
export interface VaultSource {
  /** The vault id label; `default` when not given (ansible's DEFAULT_VAULT_IDENTITY). */
  id?: string;
  /** A file path, or `prompt` / `prompt_ask_vault_pass`. */
  file: string;
}

export const DEFAULT_VAULT_ID = 'default';
const SCRIPT_TIMEOUT_MS = 120_000;
/** ansible's client-script convention: `*-client` or `*-client.<ext>` receives `--vault-id <label>`. */
const CLIENT_SCRIPT = /-client(\.[^.]*)?$/;
/** A client script exits 2 when it has no secret for the requested vault id. */
const CLIENT_UNKNOWN_ID_RC = 2;
const PROMPT_SOURCES = new Set(['prompt', 'prompt_ask_vault_pass']);

export type PasswordPrompt = (label: string) => Promise<string>;

/** `label@source` (split at the first `@`) or a bare source with the default label. */
export function parseVaultIdArg(arg: string): VaultSource {
  const at = arg.indexOf('@');
  if (at < 0) return { file: arg };
  const id = arg.slice(0, at);
  const file = arg.slice(at + 1);
  if (file === '') {
    throw new OvnctlError('usage', `--vault-id ${arg}: no password source after '@'`, {
      hint: 'write --vault-id label@/path/to/password-file',
    });
  }
  return id === '' ? { file } : { id, file };
}

/**
 * The sources in ansible's order: every `--vault-id`, then every `--vault-password-file`, then
 * ANSIBLE_VAULT_PASSWORD_FILE (which adds to the command line rather than being overridden).
 */
export function vaultSourcesFromCli(options: {
  vaultIds?: readonly string[];
  vaultPasswordFiles?: readonly string[];
  env?: Readonly<Record<string, string | undefined>>;
}): VaultSource[] {
  const sources = (options.vaultIds ?? []).map(parseVaultIdArg);
  for (const file of options.vaultPasswordFiles ?? []) sources.push({ file });
  const fromEnv = options.env?.ANSIBLE_VAULT_PASSWORD_FILE;
  if (fromEnv) sources.push({ file: fromEnv });
  return sources;
}

function expandHome(path: string): string {
  if (path === '~') return homedir();
  if (path.startsWith('~/')) return resolve(homedir(), path.slice(2));
  return resolve(path);
}

const PY_WHITESPACE = new Set([0x20, 0x09, 0x0a, 0x0b, 0x0c, 0x0d]);
const NEWLINES = new Set([0x0a, 0x0d]);

function stripBytes(data: Buffer, chars: ReadonlySet<number>): Buffer {
  let start = 0;
  let end = data.length;
  while (start < end && chars.has(data[start] ?? -1)) start++;
  while (end > start && chars.has(data[end - 1] ?? -1)) end--;
  return data.subarray(start, end);
}

function runScript(path: string, args: string[]): Promise<{ rc: number; stdout: Buffer }> {
  return new Promise((done, fail) => {
    execFile(
      path,
      args,
      { encoding: 'buffer', timeout: SCRIPT_TIMEOUT_MS, maxBuffer: 1 << 20 },
      (error, stdout) => {
        if (error && typeof error.code !== 'number') {
          // error.message would quote the script's stderr; name the failure only.
          const why = error.killed
            ? `it did not finish within ${SCRIPT_TIMEOUT_MS / 1000}s`
            : error.signal
              ? `it was killed by ${error.signal}`
              : String(error.code ?? 'unknown error');
          fail(
            new OvnctlError('invalid-input', `cannot run vault password script ${path}: ${why}`, {
              hint: 'if this file is not a script, remove its executable bit',
            }),
          );
          return;
        }
        done({ rc: error ? Number(error.code) : 0, stdout });
      },
    );
  });
}

async function passwordFromScript(path: string, label: string): Promise<Buffer> {
  const isClient = CLIENT_SCRIPT.test(basename(path));
  const { rc, stdout } = await runScript(path, isClient ? ['--vault-id', label] : []);
  // The script's output is never echoed: it may be (part of) the password.
  if (isClient && rc === CLIENT_UNKNOWN_ID_RC) {
    throw new OvnctlError(
      'invalid-input',
      `vault password client script ${path} has no secret for vault id '${label}'`,
    );
  }
  if (rc !== 0) {
    throw new OvnctlError('invalid-input', `vault password script ${path} exited with status ${rc}`, {
      hint: 'run the script by hand to see its error output',
    });
  }
  const password = stripBytes(stdout, NEWLINES);
  if (password.length === 0)
    throw new OvnctlError('invalid-input', `vault password script ${path} printed no password`);
  return password;
}

/** Reads one password; an executable file is run and its standard output used. */
export async function loadVaultPassword(
  source: VaultSource,
  prompt?: PasswordPrompt,
): Promise<{ id: string; password: Buffer; origin: string }> {
  const id = source.id ?? DEFAULT_VAULT_ID;
  if (PROMPT_SOURCES.has(source.file)) {
    if (!prompt) {
      throw new OvnctlError('usage', `vault id '${id}@${source.file}' needs an interactive password prompt`, {
        hint: 'ovnctl does not prompt here; put the password in a file (mode 0600) and pass --vault-id label@/path/to/file or --vault-password-file /path/to/file',
      });
    }
    const answer = Buffer.from(await prompt(id), 'utf8');
    if (answer.length === 0)
      throw new OvnctlError('invalid-input', `empty vault password given for vault id '${id}'`);
    return { id, password: answer, origin: `prompt for '${id}'` };
  }
  const path = expandHome(source.file);
  const info = await stat(path).catch(() => null);
  if (!info) {
    throw new OvnctlError('invalid-input', `vault password file ${path} was not found`, {
      hint: 'check --vault-password-file, --vault-id and ANSIBLE_VAULT_PASSWORD_FILE',
    });
  }
  if (!info.isFile())
    throw new OvnctlError('invalid-input', `vault password file ${path} is not a regular file`);
  if ((info.mode & 0o111) !== 0) return { id, password: await passwordFromScript(path, id), origin: path };

  const password = stripBytes(await readFile(path), PY_WHITESPACE);
  if (password.length === 0) throw new OvnctlError('invalid-input', `vault password file ${path} is empty`);
  return { id, password, origin: path };
}
