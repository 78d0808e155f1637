import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import {
  exportPrivateKey,
  generateKey,
  isEncryptedPem,
  keySpecOf,
  loadPrivateKey,
  sameKey,
} from '../../../src/pki/keys.js';
import { openssl } from './harness.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ovnctl-keys-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const PASS = 'correct horse battery staple';

describe('encrypted CA keys', () => {
  it('are encrypted PKCS#8 with AES-256-CBC that OpenSSL opens with the passphrase', async () => {
    const { privateKey } = await generateKey({ type: 'ec', curve: 'P-384' });
    const pem = exportPrivateKey(privateKey, PASS);
    expect(pem.toString()).toMatch(/^-----BEGIN ENCRYPTED PRIVATE KEY-----/);
    expect(pem.toString()).not.toContain('BEGIN PRIVATE KEY');
    const file = path.join(dir, 'ca.key.pem');
    await fs.writeFile(file, pem, { mode: 0o600 });
    const parsed = await openssl(['asn1parse', '-in', file]);
    expect(parsed.stdout).toContain('aes-256-cbc');
    const ok = await openssl(['pkey', '-in', file, '-passin', `pass:${PASS}`, '-pubout']);
    expect(ok.rc).toBe(0);
    expect(ok.stdout).toContain('BEGIN PUBLIC KEY');
    const bad = await openssl(['pkey', '-in', file, '-passin', 'pass:wrong', '-noout']);
    expect(bad.rc).not.toBe(0);
  });

  it('round-trip in memory and match the original key', async () => {
    const { privateKey } = await generateKey({ type: 'rsa', size: 2048 });
    const back = loadPrivateKey(exportPrivateKey(privateKey, PASS), 'CA key x', PASS);
    expect(sameKey(back, privateKey)).toBe(true);
    expect(keySpecOf(back)).toEqual({ type: 'rsa', size: 2048 });
  });

  it('refuse a wrong passphrase with a message that does not contain it', async () => {
    const { privateKey } = await generateKey({ type: 'ec', curve: 'P-256' });
    const pem = exportPrivateKey(privateKey, PASS);
    let err: unknown;
    try {
      loadPrivateKey(pem, 'CA key /pki/roots/X/private/X.key.pem', 'not-the-passphrase-123');
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(OvnctlError);
    expect((err as OvnctlError).code).toBe('invalid-input');
    expect((err as Error).message).toBe(
      'cannot decrypt CA key /pki/roots/X/private/X.key.pem: wrong passphrase',
    );
    expect((err as Error).message).not.toContain('not-the-passphrase-123');
    expect((err as Error).message).not.toContain(PASS);
  });

  it('say so when an encrypted key comes without a passphrase', async () => {
    const { privateKey } = await generateKey({ type: 'ec', curve: 'P-256' });
    expect(() => loadPrivateKey(exportPrivateKey(privateKey, PASS), 'CA key k')).toThrow(
      'CA key k is encrypted and no passphrase was given',
    );
  });

  it('read keys OpenSSL encrypted in the legacy PEM format (what OSA may have written)', async () => {
    const file = path.join(dir, 'legacy.key');
    expect(
      (await openssl(['genrsa', '-traditional', '-aes256', '-passout', `pass:${PASS}`, '-out', file, '2048']))
        .rc,
    ).toBe(0);
    const pem = await fs.readFile(file, 'utf8');
    expect(isEncryptedPem(pem)).toBe(true);
    expect(keySpecOf(loadPrivateKey(pem, 'k', PASS))).toEqual({ type: 'rsa', size: 2048 });
  });

  it('report a damaged key file without echoing it', () => {
    expect(() =>
      loadPrivateKey(
        '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n',
        'private key /x.key.pem',
      ),
    ).toThrow(/^private key \/x.key.pem is not a readable private key/);
  });
});
