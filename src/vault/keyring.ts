import { randomBytes } from 'node:crypto';
import { formatLocation, OvnctlError, type SourceLocation } from '../errors.js';
import { decryptBytes, deriveKeys, encryptBytes, type VaultKeys } from './cipher.js';
import { formatEnvelope, isVaultText, parseEnvelope } from './envelope.js';
import {
  DEFAULT_VAULT_ID,
  loadVaultPassword,
  type PasswordPrompt,
  type VaultSource,
} from './password-source.js';

interface VaultSecret {
  id: string;
  password: Buffer;
}

const VAULT_ID = /^[^;\s@]+$/;

/**
 * The vault passwords of one run. Decrypts 1.1/1.2 envelopes, trying the passwords labelled with
 * the envelope's vault id first, then every password. Derived keys are cached per (password, salt)
 * because PBKDF2 is the expensive part and the same value is decrypted for every host.
 */
export class VaultKeyring {
  private readonly keys = new Map<string, VaultKeys>();

  private constructor(private readonly secrets: readonly VaultSecret[]) {}

  static async fromSources(
    sources: readonly VaultSource[],
    options: { prompt?: PasswordPrompt } = {},
  ): Promise<VaultKeyring> {
    const secrets: VaultSecret[] = [];
    for (const source of sources) {
      const { id, password } = await loadVaultPassword(source, options.prompt);
      secrets.push({ id, password });
    }
    return new VaultKeyring(secrets);
  }

  /** For tests and programmatic use; the id defaults to `default`. */
  static fromPasswords(entries: readonly { id?: string; password: string }[]): VaultKeyring {
    return new VaultKeyring(
      entries.map((e) => ({ id: e.id ?? DEFAULT_VAULT_ID, password: Buffer.from(e.password, 'utf8') })),
    );
  }

  get size(): number {
    return this.secrets.length;
  }

  /** The vault ids known (never the passwords), for messages. */
  get ids(): string[] {
    return [...new Set(this.secrets.map((s) => s.id))];
  }

  /** Number of derived key sets held (one per password and salt tried). */
  get cachedKeyCount(): number {
    return this.keys.size;
  }

  isVaultFile(text: string): boolean {
    return isVaultText(text);
  }

  decrypt(envelope: string, where?: SourceLocation): string {
    return this.decryptToBuffer(envelope, where).toString('utf8');
  }

  decryptToBuffer(envelope: string, where?: SourceLocation): Buffer {
    const parsed = parseEnvelope(envelope, where);
    const at = where ? ` at ${formatLocation(where)}` : '';
    const location = where ? { location: where } : {};
    if (this.secrets.length === 0) {
      throw new OvnctlError('invalid-input', `cannot decrypt vault value${at}: no vault password was given`, {
        hint: 'pass --vault-password-file FILE or --vault-id label@FILE, or set ANSIBLE_VAULT_PASSWORD_FILE',
        ...location,
      });
    }
    let badPadding = false;
    for (const index of this.tryOrder(parsed.id)) {
      const outcome = decryptBytes(parsed.ciphertext, parsed.hmac, this.keysFor(index, parsed.salt));
      if (outcome.ok) return outcome.plaintext;
      if (outcome.reason === 'padding') badPadding = true;
    }
    if (badPadding) {
      throw new OvnctlError(
        'invalid-input',
        `cannot decrypt vault value${at}: the decrypted data is corrupt`,
        location,
      );
    }
    const labelled = parsed.id ? ` (the value is labelled '${parsed.id}')` : '';
    throw new OvnctlError('invalid-input', `cannot decrypt vault value${at}: no vault password matched`, {
      hint: `tried vault ids: ${this.ids.join(', ')}${labelled}; check the password file, or whether the value was altered`,
      ...location,
    });
  }

  /**
   * An envelope for `plaintext` with the password labelled `id` (or the first one). A non-default
   * id gives a 1.2 envelope, like `ansible-vault encrypt --vault-id`.
   */
  encrypt(plaintext: string | Buffer, id?: string): string {
    const secret = id === undefined ? this.secrets[0] : this.secrets.find((s) => s.id === id);
    if (!secret) {
      throw new OvnctlError(
        'usage',
        id === undefined ? 'no vault password to encrypt with' : `no vault password has id '${id}'`,
      );
    }
    return encryptVault(plaintext, secret.password, secret.id);
  }

  private tryOrder(id: string | null): number[] {
    const all = this.secrets.map((_, i) => i);
    if (!id) return all;
    const labelled = all.filter((i) => this.secrets[i]?.id === id);
    return [...labelled, ...all.filter((i) => this.secrets[i]?.id !== id)];
  }

  private keysFor(index: number, salt: Buffer): VaultKeys {
    const cacheKey = `${index}:${salt.toString('hex')}`;
    let keys = this.keys.get(cacheKey);
    if (!keys) {
      const secret = this.secrets[index];
      if (!secret) throw new OvnctlError('internal', 'vault secret index out of range');
      keys = deriveKeys(secret.password, salt);
      this.keys.set(cacheKey, keys);
    }
    return keys;
  }
}

/** Encrypts like `ansible-vault encrypt`: a fresh 32-byte salt, 1.2 only for a non-default id. */
export function encryptVault(
  plaintext: string | Buffer,
  password: string | Buffer,
  id: string = DEFAULT_VAULT_ID,
  salt: Buffer = randomBytes(32),
): string {
  if (!VAULT_ID.test(id)) {
    throw new OvnctlError('usage', `vault id '${id}' must not be empty or contain ';', '@' or whitespace`);
  }
  const data = typeof plaintext === 'string' ? Buffer.from(plaintext, 'utf8') : plaintext;
  const pass = typeof password === 'string' ? Buffer.from(password, 'utf8') : password;
  const { ciphertext, hmac } = encryptBytes(data, deriveKeys(pass, salt));
  const labelled = id !== DEFAULT_VAULT_ID;
  return formatEnvelope({
    version: labelled ? '1.2' : '1.1',
    id: labelled ? id : null,
    salt,
    hmac,
    ciphertext,
  });
}
