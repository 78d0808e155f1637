import { formatLocation, OvnctlError, type SourceLocation } from '../errors.js';

/**
 * The text form of a vault value: a `$ANSIBLE_VAULT;<version>;AES256[;<id>]` header, then the
 * hex of `hex(salt)\nhex(hmac)\nhex(ciphertext)` in 80-column lines.
 */

export const VAULT_HEADER = '$ANSIBLE_VAULT';
const LINE_WIDTH = 80;
const HEX = /^(?:[0-9a-fA-F]{2})*$/;

export interface VaultEnvelope {
  version: '1.1' | '1.2';
  /** The vault id of a 1.2 envelope; null for 1.1. */
  id: string | null;
  salt: Buffer;
  hmac: Buffer;
  ciphertext: Buffer;
}

export function isVaultText(text: string): boolean {
  return text.trimStart().startsWith(`${VAULT_HEADER};`);
}

function malformed(reason: string, where: SourceLocation | undefined): OvnctlError {
  const at = where ? ` at ${formatLocation(where)}` : '';
  return new OvnctlError('invalid-input', `malformed vault data${at}: ${reason}`, {
    hint: 'the value must be the unchanged output of `ansible-vault encrypt` or `encrypt_string`',
    ...(where ? { location: where } : {}),
  });
}

function hexToBuffer(hex: string, what: string, where: SourceLocation | undefined): Buffer {
  if (!HEX.test(hex)) throw malformed(`${what} is not hexadecimal`, where);
  return Buffer.from(hex, 'hex');
}

export function parseEnvelope(text: string, where?: SourceLocation): VaultEnvelope {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim());
  const header = (lines[0] ?? '').split(';').map((p) => p.trim());
  if (header[0] !== VAULT_HEADER) throw malformed(`it does not start with ${VAULT_HEADER}`, where);
  const version = header[1];
  if (version !== '1.1' && version !== '1.2') {
    throw malformed(`vault format version ${version ?? '(none)'} is not supported (only 1.1 and 1.2)`, where);
  }
  if (header[2] !== 'AES256') throw malformed(`cipher ${header[2] ?? '(none)'} is not supported`, where);
  const id = header[3] ? header[3] : null;

  const inner = hexToBuffer(lines.slice(1).join(''), 'the body', where).toString('latin1');
  const parts = inner.split('\n');
  if (parts.length !== 3) throw malformed('the body does not hold salt, HMAC and ciphertext', where);
  const [saltHex = '', hmacHex = '', cipherHex = ''] = parts;
  const hmac = hexToBuffer(hmacHex, 'the HMAC', where);
  if (hmac.length !== 32) throw malformed('the HMAC is not 32 bytes', where);
  const ciphertext = hexToBuffer(cipherHex, 'the ciphertext', where);
  if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) {
    throw malformed('the ciphertext is not a whole number of AES blocks', where);
  }
  return { version, id, salt: hexToBuffer(saltHex, 'the salt', where), hmac, ciphertext };
}

/** The envelope text exactly as ansible-vault writes it (ends with a newline). */
export function formatEnvelope(envelope: VaultEnvelope): string {
  const header = [VAULT_HEADER, envelope.version, 'AES256'];
  if (envelope.version === '1.2' && envelope.id) header.push(envelope.id);
  const inner = [envelope.salt, envelope.hmac, envelope.ciphertext].map((b) => b.toString('hex')).join('\n');
  const body = Buffer.from(inner, 'latin1').toString('hex');
  const lines = [header.join(';')];
  for (let i = 0; i < body.length; i += LINE_WIDTH) lines.push(body.slice(i, i + LINE_WIDTH));
  return `${lines.join('\n')}\n`;
}

/** A YAML `!vault |` scalar holding the envelope, indented for a mapping value. */
export function formatVaultScalar(envelope: string, indent = 2): string {
  const pad = ' '.repeat(indent);
  const body = envelope
    .trimEnd()
    .split('\n')
    .map((l) => pad + l)
    .join('\n');
  return `!vault |\n${body}`;
}
