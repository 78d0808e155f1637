/** Module arguments shared by the PKI modules (key defaults, modes, renewal window). */
import { DEFAULT_KEYS, type KeyDefaults } from '../../pki/keys.js';
import { parseDuration } from '../../pki/ttl.js';
import { parseMode } from './common.js';

export interface CommonParams {
  pki_dir: string;
  renew_before?: string | number;
  key_type?: string;
  key_size?: number | string;
  curve?: string;
  digest?: string;
  /** Passphrase of CA keys (stored as encrypted PKCS#8 when set). */
  ca_key_passphrase?: string;
  /** Lifetime of new material whose entry has no ttl (CAs 3650d, certificates 730d). */
  default_ttl?: string | number;
  cert_mode?: string | number;
  key_mode?: string | number;
  dir_mode?: string | number;
  key_dir_mode?: string | number;
}

export interface Settings {
  keys: KeyDefaults;
  renewBeforeMs: number;
  certMode: number;
  keyMode: number;
  dirMode: number;
  keyDirMode: number;
}

export function settingsFrom(p: CommonParams): Settings {
  return {
    keys: {
      key_type: p.key_type || DEFAULT_KEYS.key_type,
      key_size: Number(p.key_size || DEFAULT_KEYS.key_size),
      curve: p.curve || DEFAULT_KEYS.curve,
      digest: p.digest || DEFAULT_KEYS.digest,
    },
    renewBeforeMs: parseDuration(p.renew_before ?? '10d', 'renew_before'),
    certMode: parseMode(p.cert_mode, 0o644, 'cert_mode'),
    keyMode: parseMode(p.key_mode, 0o600, 'key_mode'),
    dirMode: parseMode(p.dir_mode, 0o755, 'dir_mode'),
    keyDirMode: parseMode(p.key_dir_mode, 0o700, 'key_dir_mode'),
  };
}
