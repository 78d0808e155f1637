import { beforeAll, describe, expect, it } from 'vitest';
import { type CertInfo, keyMatchesCert } from '../../../src/pki/inspect.js';
import { issueCertificate } from '../../../src/pki/issue.js';
import { generateKey, type KeyPair } from '../../../src/pki/keys.js';
import { subjectFromFields } from '../../../src/pki/names.js';

let ec: KeyPair;
let otherEc: KeyPair;
let rsa: KeyPair;
let cert: CertInfo;

beforeAll(async () => {
  [ec, otherEc, rsa] = await Promise.all([
    generateKey({ type: 'ec', curve: 'P-384' }),
    generateKey({ type: 'ec', curve: 'P-384' }),
    generateKey({ type: 'rsa', size: 2048 }),
  ]);
  cert = await issueCertificate({
    subject: subjectFromFields({ cn: 'infra1' }, 'x'),
    publicKey: ec.publicKey,
    selfKey: ec.privateKey,
    notBefore: new Date('2030-01-01T00:00:00Z'),
    notAfter: new Date('2031-01-01T00:00:00Z'),
    extensions: { basicConstraints: { ca: false } },
  });
});

describe('keyMatchesCert', () => {
  it('accepts the key pair of the certificate, private or public half', () => {
    expect(keyMatchesCert(ec.privateKey, cert)).toBe(true);
    expect(keyMatchesCert(ec.publicKey, cert)).toBe(true);
  });

  it('refuses another key of the same kind and a key of another kind', () => {
    expect(keyMatchesCert(otherEc.privateKey, cert)).toBe(false);
    expect(keyMatchesCert(otherEc.publicKey, cert)).toBe(false);
    expect(keyMatchesCert(rsa.privateKey, cert)).toBe(false);
    expect(keyMatchesCert(rsa.publicKey, cert)).toBe(false);
  });
});
