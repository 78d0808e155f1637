import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import { decryptFileText, encryptVault, parseEnvelope, VaultKeyring } from '../../../src/vault/index.js';
import { parseYaml } from '../../../src/yaml/load.js';
import { VaultedValue } from '../../../src/yaml/tags.js';
import { AnsibleVaultCli } from './ansible-vault-cli.js';

const PLAIN_YAML = 'db_password: "s3cr3t-db"\nrabbit_cookie: |\n  line one\n  line two\n';

function caught(fn: () => unknown): OvnctlError {
  try {
    fn();
  } catch (e) {
    if (e instanceof OvnctlError) return e;
    throw e;
  }
  throw new Error('expected an OvnctlError');
}

describe('ansible-vault compatibility (real ansible-vault)', () => {
  let cli: AnsibleVaultCli;
  let pwFile: string;
  let prodPwFile: string;

  beforeAll(() => {
    cli = new AnsibleVaultCli();
    pwFile = cli.file('pw', 'correct horse\n');
    prodPwFile = cli.file('prod-pw', 'prod-password-42\n');
  });
  afterAll(() => cli.cleanup());

  it('decrypts a whole file encrypted with format 1.1', () => {
    const file = cli.file('secrets.yml', PLAIN_YAML);
    cli.run(['encrypt', '--vault-password-file', pwFile, file]);
    const text = readFileSync(file, 'utf8');
    expect(text.startsWith('$ANSIBLE_VAULT;1.1;AES256\n')).toBe(true);
    const keyring = VaultKeyring.fromPasswords([{ password: 'correct horse' }]);
    expect(keyring.isVaultFile(text)).toBe(true);
    expect(decryptFileText(text, keyring, file)).toBe(PLAIN_YAML);
  });

  it('decrypts an inline !vault value from encrypt_string', () => {
    const out = cli.run([
      'encrypt_string',
      '--vault-password-file',
      pwFile,
      '--name',
      'ovn_ca_passphrase',
      'p@ss w0rd',
    ]);
    const doc = parseYaml(out, 'group_vars/all.yml');
    const value = (doc.value as Record<string, unknown>).ovn_ca_passphrase;
    expect(value).toBeInstanceOf(VaultedValue);
    const keyring = VaultKeyring.fromPasswords([{ password: 'correct horse' }]);
    expect(keyring.decrypt((value as VaultedValue).envelope, { file: 'group_vars/all.yml', line: 1 })).toBe(
      'p@ss w0rd',
    );
  });

  it('decrypts format 1.2 (vault id) trying the labelled password first, then all', async () => {
    const file = cli.file('prod.yml', PLAIN_YAML);
    cli.run(['encrypt', '--vault-id', `prod@${prodPwFile}`, file]);
    const text = readFileSync(file, 'utf8');
    expect(text.split('\n')[0]).toBe('$ANSIBLE_VAULT;1.2;AES256;prod');
    expect(parseEnvelope(text).id).toBe('prod');

    const keyring = await VaultKeyring.fromSources([
      { id: 'dev', file: pwFile },
      { id: 'prod', file: prodPwFile },
    ]);
    expect(keyring.decrypt(text)).toBe(PLAIN_YAML);
    // Labelled first: only the prod password was tried, so only one key set was derived.
    expect(keyring.cachedKeyCount).toBe(1);

    const mislabelled = await VaultKeyring.fromSources([{ id: 'other', file: prodPwFile }]);
    expect(mislabelled.decrypt(text)).toBe(PLAIN_YAML);
  });

  it('writes envelopes that the real ansible-vault can view (1.1 and 1.2)', () => {
    const plain = 'ovn_sb_key: |\n  -----BEGIN PRIVATE KEY-----\n  x\n';
    const v11 = cli.file('ours-11.yml', encryptVault(plain, 'correct horse'));
    expect(cli.run(['view', '--vault-password-file', pwFile, v11])).toBe(plain);

    const keyring = VaultKeyring.fromPasswords([{ id: 'prod', password: 'prod-password-42' }]);
    const envelope = keyring.encrypt(plain, 'prod');
    expect(envelope.startsWith('$ANSIBLE_VAULT;1.2;AES256;prod\n')).toBe(true);
    const v12 = cli.file('ours-12.yml', envelope);
    expect(cli.run(['view', '--vault-id', `prod@${prodPwFile}`, v12])).toBe(plain);
  });
});

describe('VaultKeyring errors', () => {
  const envelope = encryptVault('the-plaintext-value', 'right-password');

  it('names the file and line on a wrong password, without plaintext or password', () => {
    const keyring = VaultKeyring.fromPasswords([{ password: 'wrong-password' }]);
    const err = caught(() => keyring.decrypt(envelope, { file: 'user_secrets.yml', line: 12 }));
    expect(err.code).toBe('invalid-input');
    expect(err.message).toBe('cannot decrypt vault value at user_secrets.yml:12: no vault password matched');
    const everything = `${err.message} ${err.hint ?? ''}`;
    expect(everything).not.toContain('wrong-password');
    expect(everything).not.toContain('the-plaintext-value');
  });

  it('rejects a tampered ciphertext through the HMAC, even with the right password', () => {
    const lines = envelope.trimEnd().split('\n');
    const body = Buffer.from(lines.slice(1).join(''), 'hex').toString('latin1').split('\n');
    const cipherHex = body[2] ?? '';
    const flipped = (cipherHex[0] === '0' ? '1' : '0') + cipherHex.slice(1);
    const tamperedBody = Buffer.from([body[0], body[1], flipped].join('\n'), 'latin1').toString('hex');
    const tampered = `${lines[0]}\n${tamperedBody}\n`;
    const keyring = VaultKeyring.fromPasswords([{ password: 'right-password' }]);
    expect(keyring.decrypt(envelope)).toBe('the-plaintext-value');
    expect(caught(() => keyring.decrypt(tampered)).message).toContain('no vault password matched');
  });

  it('says when no password was given at all', () => {
    const err = caught(() => VaultKeyring.fromPasswords([]).decrypt(envelope, { file: 'a.yml', line: 3 }));
    expect(err.message).toContain('no vault password was given');
    expect(err.hint).toContain('--vault-password-file');
  });

  it('rejects malformed envelopes clearly', () => {
    const keyring = VaultKeyring.fromPasswords([{ password: 'x' }]);
    expect(caught(() => keyring.decrypt('$ANSIBLE_VAULT;1.0;AES\nabcd')).message).toContain('version 1.0');
    expect(caught(() => keyring.decrypt('$ANSIBLE_VAULT;1.1;AES256\nzz')).message).toContain(
      'not hexadecimal',
    );
    expect(caught(() => keyring.decrypt('hello')).message).toContain('does not start with $ANSIBLE_VAULT');
  });

  it('round-trips arbitrary text and caches derived keys per salt', () => {
    const keyring = VaultKeyring.fromPasswords([{ password: 'pw' }]);
    const samples = ['', 'a', '0123456789abcdef', 'x'.repeat(1000), 'üñí©ødé\n\t'];
    const envelopes = samples.map((s) => keyring.encrypt(s));
    for (const [i, e] of envelopes.entries()) expect(keyring.decrypt(e)).toBe(samples[i]);
    const count = keyring.cachedKeyCount;
    for (const e of envelopes) keyring.decrypt(e);
    expect(keyring.cachedKeyCount).toBe(count);
    expect(count).toBe(samples.length);
  });

  it('returns non-vault file text unchanged', () => {
    const keyring = VaultKeyring.fromPasswords([{ password: 'pw' }]);
    expect(decryptFileText('a: 1\n', keyring, 'x.yml')).toBe('a: 1\n');
  });
});
