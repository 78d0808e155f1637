import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OvnctlError, type SourceLocation } from '../errors.js';
import type { VarSource } from '../inventory/model.js';
import { parseYaml, type YamlDocument } from '../yaml/load.js';

/** Decrypts ansible-vault envelopes (implemented by src/vault). */
export interface VaultDecryptor {
  decrypt(envelope: string, where?: SourceLocation): string;
  /** Told every value of a wholly encrypted file: each one is a vault value, to be redacted. */
  secret?(value: string): void;
}

/** Every string (and number) in a decrypted document, for redaction. */
function registerValues(value: unknown, secret: (v: string) => void): void {
  if (typeof value === 'string' || typeof value === 'number') secret(String(value));
  else if (Array.isArray(value)) for (const v of value) registerValues(v, secret);
  else if (value && typeof value === 'object')
    for (const v of Object.values(value)) registerValues(v, secret);
}

const VAULT_HEADER = '$ANSIBLE_VAULT;';
const YAML_EXTENSIONS = ['.yml', '.yaml', '.json', ''];

/** Read a YAML (or vault-encrypted YAML) file with source positions. */
export function readYamlDocument(file: string, vault?: VaultDecryptor): YamlDocument {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const reason =
      { ENOENT: 'no such file', EISDIR: 'it is a directory', EACCES: 'permission denied' }[code ?? ''] ??
      code;
    throw new OvnctlError('invalid-input', `cannot read ${file}: ${reason}`, {
      location: { file },
    });
  }
  if (text.startsWith(VAULT_HEADER)) {
    if (!vault) {
      throw new OvnctlError('invalid-input', `${file} is vault-encrypted and no vault password was given`, {
        location: { file },
        hint: 'pass --vault-password-file or --vault-id',
      });
    }
    const doc = parseYaml(vault.decrypt(text, { file }), file);
    if (vault.secret) registerValues(doc.value, (v) => vault.secret?.(v));
    return doc;
  }
  return parseYaml(text, file);
}

/** A YAML mapping: a plain object (a `!vault` or `!unsafe` value is an object too, but not a mapping). */
function isPlainMap(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Read a file whose top level must be a mapping of variables. */
export function readVarsFile(file: string, layer: string, vault?: VaultDecryptor): VarSource {
  const doc = readYamlDocument(file, vault);
  if (doc.value === null || doc.value === undefined) return { layer, file, vars: {} };
  if (!isPlainMap(doc.value)) {
    throw new OvnctlError('invalid-input', `${file} must hold a mapping of variable names to values`, {
      location: doc.locate([]),
    });
  }
  return { layer, file, vars: doc.value, locate: (k) => doc.locate([k]) };
}

function isDir(path: string): boolean {
  try {
    return statSync(path).isDirectory();
  } catch {
    return false;
  }
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * Ansible's `group_vars/<name>` lookup: `<name>.yml|.yaml|.json|<name>` as a file,
 * or `<name>/` as a directory whose files load in sorted order.
 */
export function readNamedVars(
  baseDir: string,
  name: string,
  layer: string,
  vault?: VaultDecryptor,
): VarSource[] {
  const out: VarSource[] = [];
  for (const ext of YAML_EXTENSIONS) {
    const file = join(baseDir, name + ext);
    if (isFile(file)) out.push(readVarsFile(file, layer, vault));
  }
  const dir = join(baseDir, name);
  if (isDir(dir)) {
    for (const entry of readdirSync(dir).sort()) {
      const file = join(dir, entry);
      if (entry.startsWith('.') || !isFile(file)) continue;
      if (!/\.(ya?ml|json)$/.test(entry) && entry.includes('.')) continue;
      out.push(readVarsFile(file, layer, vault));
    }
  }
  return out;
}

export { isDir, isFile };
