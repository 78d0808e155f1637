export { formatVaultScalar, isVaultText, parseEnvelope, type VaultEnvelope } from './envelope.js';
export { decryptFileText } from './file.js';
export { encryptVault, VaultKeyring } from './keyring.js';
export {
  DEFAULT_VAULT_ID,
  loadVaultPassword,
  type PasswordPrompt,
  parseVaultIdArg,
  type VaultSource,
  vaultSourcesFromCli,
} from './password-source.js';
