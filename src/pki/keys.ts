/** Key generation, parsing and export (PKCS#8, optionally encrypted), on Node's crypto. */
import crypto, { type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { OvnctlError } from '../errors.js';

export type KeySpec = { type: 'rsa'; size: number } | { type: 'ec'; curve: Curve } | { type: 'ed25519' };
export type Curve = 'P-256' | 'P-384' | 'P-521';
export type Digest = 'sha256' | 'sha384' | 'sha512';

export interface KeyPair {
  privateKey: KeyObject;
  publicKey: KeyObject;
}

/** Entry keys that choose a key (authority or certificate). */
export interface KeyFields {
  key_type?: unknown;
  key_size?: unknown;
  curve?: unknown;
  digest?: unknown;
}

export interface KeyDefaults {
  key_type: string;
  key_size: number;
  curve: string;
  /** Empty: follow the signing key (SHA-384 for P-384, SHA-256 for RSA and P-256). */
  digest: string;
}

export const DEFAULT_KEYS: KeyDefaults = { key_type: 'ec', key_size: 4096, curve: 'P-384', digest: '' };

const CURVES: Record<string, Curve> = {
  'p-256': 'P-256',
  p256: 'P-256',
  prime256v1: 'P-256',
  secp256r1: 'P-256',
  'p-384': 'P-384',
  p384: 'P-384',
  secp384r1: 'P-384',
  'p-521': 'P-521',
  p521: 'P-521',
  secp521r1: 'P-521',
};
const CURVE_BY_SIZE: Record<string, Curve> = { '256': 'P-256', '384': 'P-384', '521': 'P-521' };

function parseCurve(v: unknown, where: string): Curve {
  const c = CURVES[String(v).toLowerCase()];
  if (!c)
    throw new OvnctlError('invalid-input', `${where}: unsupported curve "${String(v)}" (use P-256 or P-384)`);
  return c;
}

function parseRsaSize(v: unknown, where: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 2048 || n > 4096 || n % 256 !== 0) {
    throw new OvnctlError(
      'invalid-input',
      `${where}: RSA key_size must be 2048 to 4096 bits, got "${String(v)}"`,
    );
  }
  return n;
}

/**
 * The key an entry asks for. `explicit` tells whether the entry itself chose it:
 * only then is an existing key of another kind replaced (defaults apply to new keys).
 */
export function keySpecFor(
  f: KeyFields,
  d: KeyDefaults,
  where: string,
): { spec: KeySpec; explicit: boolean } {
  const explicit = [f.key_type, f.key_size, f.curve].some((v) => v !== undefined && v !== null && v !== '');
  const type = String(f.key_type ?? d.key_type ?? 'ec').toLowerCase();
  const set = (v: unknown) => v !== undefined && v !== null && v !== '';
  switch (type) {
    case 'rsa':
      return {
        spec: { type: 'rsa', size: parseRsaSize(set(f.key_size) ? f.key_size : d.key_size, where) },
        explicit,
      };
    case 'ec':
    case 'ecc':
    case 'ecdsa': {
      let curve: Curve;
      if (set(f.curve)) curve = parseCurve(f.curve, where);
      else if (set(f.key_size)) {
        const c = CURVE_BY_SIZE[String(f.key_size)];
        if (!c) throw new OvnctlError('invalid-input', `${where}: EC key_size must be 256, 384 or 521`);
        curve = c;
      } else curve = parseCurve(d.curve, where);
      return { spec: { type: 'ec', curve }, explicit };
    }
    case 'ed25519':
      return { spec: { type: 'ed25519' }, explicit };
    default:
      throw new OvnctlError(
        'invalid-input',
        `${where}: unsupported key_type "${type}" (use rsa, ec or ed25519)`,
      );
  }
}

export function parseDigest(v: unknown, where: string): Digest | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const d = String(v).toLowerCase().replace('-', '');
  if (d === 'sha256' || d === 'sha384' || d === 'sha512') return d;
  throw new OvnctlError(
    'invalid-input',
    `${where}: unsupported digest "${String(v)}" (use sha256, sha384 or sha512)`,
  );
}

/** The digest a signer uses when none is asked for. Ed25519 has none (null). */
export function defaultDigest(spec: KeySpec): Digest | null {
  if (spec.type === 'ed25519') return null;
  if (spec.type === 'ec')
    return spec.curve === 'P-256' ? 'sha256' : spec.curve === 'P-384' ? 'sha384' : 'sha512';
  return 'sha256';
}

export function formatKeySpec(spec: KeySpec): string {
  if (spec.type === 'rsa') return `RSA-${spec.size}`;
  if (spec.type === 'ec') return `EC ${spec.curve}`;
  return 'Ed25519';
}

export function sameKeySpec(a: KeySpec, b: KeySpec): boolean {
  return formatKeySpec(a) === formatKeySpec(b);
}

const generate = promisify(crypto.generateKeyPair);

/** Asynchronous (libuv pool), so several RSA keys are made in parallel. */
export async function generateKey(spec: KeySpec): Promise<KeyPair> {
  if (spec.type === 'rsa') return generate('rsa', { modulusLength: spec.size, publicExponent: 0x10001 });
  if (spec.type === 'ec') return generate('ec', { namedCurve: spec.curve });
  return generate('ed25519', {});
}

export function keySpecOf(key: KeyObject): KeySpec {
  const details = key.asymmetricKeyDetails ?? {};
  switch (key.asymmetricKeyType) {
    case 'rsa':
      return { type: 'rsa', size: details.modulusLength ?? 0 };
    case 'ec':
      return { type: 'ec', curve: CURVES[String(details.namedCurve).toLowerCase()] ?? ('P-384' as Curve) };
    case 'ed25519':
      return { type: 'ed25519' };
    default:
      throw new OvnctlError('invalid-input', `unsupported key type ${String(key.asymmetricKeyType)}`);
  }
}

export function isEncryptedPem(pem: string): boolean {
  return pem.includes('ENCRYPTED PRIVATE KEY') || /Proc-Type:\s*4,ENCRYPTED/.test(pem);
}

/**
 * Parse a private key (PKCS#8, PKCS#1, SEC1; encrypted or not). `what` names the
 * file for messages; the passphrase never appears in them.
 */
export function loadPrivateKey(pem: Buffer | string, what: string, passphrase?: string): KeyObject {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  const encrypted = isEncryptedPem(text);
  if (encrypted && !passphrase) {
    throw new OvnctlError('invalid-input', `${what} is encrypted and no passphrase was given`, {
      hint: 'set pki_ca_key_passphrase (or key_passphrase on the entry)',
    });
  }
  try {
    return crypto.createPrivateKey(
      encrypted ? { key: text, format: 'pem', passphrase: passphrase ?? '' } : text,
    );
  } catch (e) {
    if (encrypted) throw new OvnctlError('invalid-input', `cannot decrypt ${what}: wrong passphrase`);
    const reason = e instanceof Error ? e.message.replace(/^error:[0-9A-F]+:/, '') : 'unreadable';
    throw new OvnctlError('invalid-input', `${what} is not a readable private key (${reason})`);
  }
}

/** PKCS#8 PEM; encrypted with AES-256-CBC (PBKDF2) when a passphrase is given. */
export function exportPrivateKey(key: KeyObject, passphrase?: string): Buffer {
  const pem = passphrase
    ? key.export({ type: 'pkcs8', format: 'pem', cipher: 'aes-256-cbc', passphrase })
    : key.export({ type: 'pkcs8', format: 'pem' });
  return Buffer.from(pem);
}

const spkiCache = new WeakMap<KeyObject, Buffer>();
export function spki(key: KeyObject): Buffer {
  let der = spkiCache.get(key);
  if (!der) {
    const pub = key.type === 'private' ? crypto.createPublicKey(key) : key;
    der = pub.export({ type: 'spki', format: 'der' });
    spkiCache.set(key, der);
  }
  return der;
}

/** True when both keys (private or public) hold the same public key. */
export function sameKey(a: KeyObject, b: KeyObject): boolean {
  return spki(a).equals(spki(b));
}
