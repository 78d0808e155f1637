import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { OvnctlError, type SourceLocation } from '../errors.js';
import type { VarSource } from '../inventory/model.js';
import { parseYaml, type YamlDocument } from '../yaml/load.js';

/** Decrypts ansible-vault envelopes (implemented by src/vault). */
export interface VaultDecryptor {
  decrypt(envelope: string, where?: SourceLocation): string;
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
    throw new OvnctlError(
      'invalid-input',
      `cannot read ${file}: ${code === 'ENOENT' ? 'no such file' : code}`,
      {
        location: { file },
      },
    );
  }
  if (text.startsWith(VAULT_HEADER)) {
    if (!vault) {
      throw new OvnctlError('invalid-input', `${file} is vault-encrypted and no vault password was given`, {
        location: { file },
        hint: 'pass --vault-password-file or --vault-id',
      });
    }
    text = vault.decrypt(text, { file });
  }
  return parseYaml(text, file);
}

function isPlainMap(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
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
