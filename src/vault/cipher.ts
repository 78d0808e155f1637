import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, timingSafeEqual } from 'node:crypto';

/**
 * The AES256 cipher of ansible-vault 1.1/1.2: PBKDF2-HMAC-SHA256 (10 000 rounds) stretches the
 * password into an AES-256-CTR key, an HMAC-SHA256 key and the initial counter block.
 */

const ITERATIONS = 10_000;
const KEY_LENGTH = 32;
const COUNTER_LENGTH = 16;
const BLOCK = 16;

export interface VaultKeys {
  cipherKey: Buffer;
  hmacKey: Buffer;
  counter: Buffer;
}

export function deriveKeys(password: Buffer, salt: Buffer): VaultKeys {
  const material = pbkdf2Sync(password, salt, ITERATIONS, 2 * KEY_LENGTH + COUNTER_LENGTH, 'sha256');
  return {
    cipherKey: material.subarray(0, KEY_LENGTH),
    hmacKey: material.subarray(KEY_LENGTH, 2 * KEY_LENGTH),
    counter: material.subarray(2 * KEY_LENGTH),
  };
}

function pkcs7Pad(data: Buffer): Buffer {
  const n = BLOCK - (data.length % BLOCK);
  return Buffer.concat([data, Buffer.alloc(n, n)]);
}

/** The unpadded data, or null when the padding is not valid PKCS#7. */
function pkcs7Unpad(data: Buffer): Buffer | null {
  const n = data[data.length - 1];
  if (n === undefined || n < 1 || n > BLOCK || n > data.length) return null;
  for (let i = data.length - n; i < data.length; i++) if (data[i] !== n) return null;
  return data.subarray(0, data.length - n);
}

function hmacOf(keys: VaultKeys, ciphertext: Buffer): Buffer {
  return createHmac('sha256', keys.hmacKey).update(ciphertext).digest();
}

export function encryptBytes(plaintext: Buffer, keys: VaultKeys): { ciphertext: Buffer; hmac: Buffer } {
  const cipher = createCipheriv('aes-256-ctr', keys.cipherKey, keys.counter);
  const ciphertext = Buffer.concat([cipher.update(pkcs7Pad(plaintext)), cipher.final()]);
  return { ciphertext, hmac: hmacOf(keys, ciphertext) };
}

export type DecryptOutcome = { ok: true; plaintext: Buffer } | { ok: false; reason: 'hmac' | 'padding' };

/** Checks the HMAC first (constant time) so a wrong password never reaches the cipher. */
export function decryptBytes(ciphertext: Buffer, hmac: Buffer, keys: VaultKeys): DecryptOutcome {
  const expected = hmacOf(keys, ciphertext);
  if (hmac.length !== expected.length || !timingSafeEqual(hmac, expected))
    return { ok: false, reason: 'hmac' };
  const decipher = createDecipheriv('aes-256-ctr', keys.cipherKey, keys.counter);
  const padded = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
  const plaintext = pkcs7Unpad(padded);
  return plaintext ? { ok: true, plaintext } : { ok: false, reason: 'padding' };
}
