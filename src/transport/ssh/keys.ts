import { readFile } from 'node:fs/promises';
import ssh2 from 'ssh2';
import { OvnctlError } from '../../errors.js';

type ParsedKey = ssh2.ParsedKey;

// Parsed keys shared by all transports of the run: one file read, and for an encrypted key one
// passphrase prompt and one (slow, bcrypt) decryption, instead of one per host. Failures are
// not cached so a later attempt can ask again.
const cache = new Map<string, Promise<ParsedKey>>();

function parse(data: Buffer, passphrase?: string): ParsedKey | Error {
  const parsed = ssh2.utils.parseKey(data, passphrase) as ParsedKey | ParsedKey[] | Error;
  return Array.isArray(parsed) ? (parsed[0] ?? new Error('no key in file')) : parsed;
}

async function load(file: string, passphrase: (() => Promise<string>) | undefined): Promise<ParsedKey> {
  let data: Buffer;
  try {
    data = await readFile(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new OvnctlError('invalid-input', `cannot read private key file ${file} (${code})`);
  }
  let key = parse(data);
  if (key instanceof Error && /no passphrase given/i.test(key.message)) {
    if (!passphrase) {
      throw new OvnctlError(
        'invalid-input',
        `private key file ${file} is encrypted and no passphrase is available`,
        {
          hint: 'load the key into ssh-agent, or run interactively to be asked for the passphrase',
        },
      );
    }
    key = parse(data, await passphrase());
    if (key instanceof Error)
      throw new OvnctlError('invalid-input', `cannot decrypt private key file ${file}: wrong passphrase?`);
  }
  // ssh2's parse errors name the format problem only, never key material.
  if (key instanceof Error)
    throw new OvnctlError('invalid-input', `cannot use private key file ${file}: ${key.message}`);
  if (!key.isPrivateKey())
    throw new OvnctlError('invalid-input', `${file} holds a public key, not a private key`);
  return key;
}

export function loadPrivateKey(
  file: string,
  passphrase: (() => Promise<string>) | undefined,
): Promise<ParsedKey> {
  let p = cache.get(file);
  if (!p) {
    p = load(file, passphrase);
    cache.set(file, p);
    p.catch(() => cache.delete(file));
  }
  return p;
}
