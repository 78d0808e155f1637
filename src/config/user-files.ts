import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { VarSource } from '../inventory/model.js';
import { isFile, readVarsFile, type VaultDecryptor } from './files.js';

/**
 * OSA passes every `user_*.yml` of the config dir as `-e @file`, alphabetically,
 * before the operator's own `-e`; so do we.
 */
export function loadUserFiles(configDir: string, vault?: VaultDecryptor): VarSource[] {
  let entries: string[];
  try {
    entries = readdirSync(configDir);
  } catch {
    return [];
  }
  return entries
    .filter((e) => /^user_.*\.ya?ml$/.test(e) && isFile(join(configDir, e)))
    .sort()
    .map((e) => readVarsFile(join(configDir, e), `user file ${e}`, vault));
}
