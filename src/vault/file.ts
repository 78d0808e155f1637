import type { VaultKeyring } from './keyring.js';

/**
 * The plaintext of a YAML file that may be vault-encrypted as a whole (vars_files, group_vars,
 * user_*.yml); a file that is not encrypted is returned unchanged.
 */
export function decryptFileText(text: string, keyring: VaultKeyring, file: string): string {
  if (!keyring.isVaultFile(text)) return text;
  return keyring.decrypt(text, { file, line: 1 });
}
