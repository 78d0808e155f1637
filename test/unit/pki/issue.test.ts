import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseSan } from '../../../src/pki/extensions.js';
import { isIssuedBy, parseCertificate } from '../../../src/pki/inspect.js';
import { issueCertificate, resignCertificate } from '../../../src/pki/issue.js';
import { generateKey, type KeySpec } from '../../../src/pki/keys.js';
import { subjectFromFields } from '../../../src/pki/names.js';
import { openssl } from './harness.js';

let dir: string;
beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ovnctl-issue-'));
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

const now = new Date();
const inAYear = new Date(now.getTime() + 365 * 86_400_000);

async function chain(spec: KeySpec, leafSpec: KeySpec = spec) {
  const [rk, ik, lk] = await Promise.all([generateKey(spec), generateKey(spec), generateKey(leafSpec)]);
  const root = await issueCertificate({
    subject: subjectFromFields({ cn: 'Test Root', country_name: 'GB', organization_name: 'Ex' }, 'x'),
    publicKey: rk.publicKey,
    selfKey: rk.privateKey,
    notBefore: now,
    notAfter: inAYear,
    extensions: { basicConstraints: { ca: true }, keyUsage: ['digitalSignature', 'keyCertSign', 'cRLSign'] },
  });
  const inter = await issueCertificate({
    subject: subjectFromFields({ cn: 'Test Intermediate' }, 'x'),
    publicKey: ik.publicKey,
    signer: { subjectDer: root.subjectDer, privateKey: rk.privateKey },
    notBefore: now,
    notAfter: inAYear,
    extensions: { basicConstraints: { ca: true, pathlen: 0 }, keyUsage: ['keyCertSign', 'cRLSign'] },
  });
  const leaf = await issueCertificate({
    subject: subjectFromFields({ cn: 'infra1', organization_name: 'Ex' }, 'x'),
    publicKey: lk.publicKey,
    signer: { subjectDer: inter.subjectDer, privateKey: ik.privateKey },
    notBefore: now,
    notAfter: inAYear,
    extensions: {
      basicConstraints: { ca: false },
      keyUsage: ['digitalSignature', 'keyEncipherment'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'],
      san: parseSan({ dns: ['infra1', 'infra1.example.com'], ip: ['10.0.0.11', 'fd00::11'] }, 'x') ?? [],
    },
  });
  const tag = crypto.randomBytes(4).toString('hex');
  const files = {
    root: path.join(dir, `${tag}-root.pem`),
    inter: path.join(dir, `${tag}-int.pem`),
    leaf: path.join(dir, `${tag}-leaf.pem`),
  };
  await Promise.all([
    fs.writeFile(files.root, root.pem),
    fs.writeFile(files.inter, inter.pem),
    fs.writeFile(files.leaf, leaf.pem),
  ]);
  return { root, inter, leaf, files, keys: { rk, ik, lk } };
}

async function verify(files: { root: string; inter: string; leaf: string }) {
  return openssl(['verify', '-CAfile', files.root, '-untrusted', files.inter, files.leaf]);
}

describe('issued certificate chains verify with OpenSSL and Node', () => {
  const cases: [string, KeySpec, string][] = [
    ['EC P-384', { type: 'ec', curve: 'P-384' }, 'ecdsa-with-SHA384'],
    ['EC P-256', { type: 'ec', curve: 'P-256' }, 'ecdsa-with-SHA256'],
    ['RSA-2048', { type: 'rsa', size: 2048 }, 'sha256WithRSAEncryption'],
    ['Ed25519', { type: 'ed25519' }, 'ED25519'],
  ];
  for (const [label, spec, sigAlg] of cases) {
    it(`${label}`, async () => {
      const c = await chain(spec);
      const r = await verify(c.files);
      expect(r.stdout.trim()).toBe(`${c.files.leaf}: OK`);
      expect(
        new crypto.X509Certificate(c.leaf.pem).verify(new crypto.X509Certificate(c.inter.pem).publicKey),
      ).toBe(true);
      expect(
        new crypto.X509Certificate(c.inter.pem).checkIssued(new crypto.X509Certificate(c.root.pem)),
      ).toBe(true);
      const text = (await openssl(['x509', '-in', c.files.leaf, '-noout', '-text'])).stdout;
      expect(text).toContain(`Signature Algorithm: ${sigAlg}`);
    });
  }

  it('RSA-4096 (OSA key size)', async () => {
    const c = await chain({ type: 'rsa', size: 4096 }, { type: 'ec', curve: 'P-256' });
    expect((await verify(c.files)).stdout.trim()).toBe(`${c.files.leaf}: OK`);
    expect((await openssl(['x509', '-in', c.files.root, '-noout', '-text'])).stdout).toContain(
      'Public-Key: (4096 bit)',
    );
  });
});

describe('certificate contents', () => {
  it('carries the extensions asked for, as OpenSSL reads them', async () => {
    const c = await chain({ type: 'ec', curve: 'P-256' });
    const leaf = (await openssl(['x509', '-in', c.files.leaf, '-noout', '-text'])).stdout;
    expect(leaf).toMatch(/X509v3 Basic Constraints: critical\s+CA:FALSE/);
    expect(leaf).toMatch(/X509v3 Key Usage: critical\s+Digital Signature, Key Encipherment/);
    expect(leaf).toMatch(
      /X509v3 Extended Key Usage:\s*\n\s+TLS Web Server Authentication, TLS Web Client Authentication/,
    );
    expect(leaf).toMatch(
      /DNS:infra1, DNS:infra1.example.com, IP Address:10.0.0.11, IP Address:FD00:0:0:0:0:0:0:11/,
    );
    expect(leaf).toContain('X509v3 Subject Key Identifier');
    expect(leaf).toContain('X509v3 Authority Key Identifier');
    expect(leaf).toMatch(/Subject: O ?= ?Ex, CN ?= ?infra1/);
    const inter = (await openssl(['x509', '-in', c.files.inter, '-noout', '-text'])).stdout;
    expect(inter).toMatch(/X509v3 Basic Constraints: critical\s+CA:TRUE, pathlen:0/);
    expect(inter).toMatch(/X509v3 Key Usage: critical\s+Certificate Sign, CRL Sign/);
    const root = (await openssl(['x509', '-in', c.files.root, '-noout', '-subject', '-issuer'])).stdout;
    expect(root).toMatch(/subject=C ?= ?GB, O ?= ?Ex, CN ?= ?Test Root/);
    expect(root).toMatch(/issuer=C ?= ?GB, O ?= ?Ex, CN ?= ?Test Root/);
  });

  it('uses 16-byte positive random serials', async () => {
    const c = await chain({ type: 'ec', curve: 'P-256' });
    for (const cert of [c.root, c.inter, c.leaf]) {
      expect(cert.serial).toMatch(/^[4-7][0-9a-f]{31}$/);
    }
    expect(new Set([c.root.serial, c.inter.serial, c.leaf.serial]).size).toBe(3);
  });

  it('reads back what it wrote through its own parser', async () => {
    const c = await chain({ type: 'ec', curve: 'P-384' });
    const leaf = parseCertificate(c.leaf.pem, 'leaf');
    expect(leaf.keyUsage).toEqual(['digitalSignature', 'keyEncipherment']);
    expect(leaf.basicConstraints).toEqual({ ca: false });
    expect(leaf.san?.map((s) => `${s.type}:${s.value}`)).toEqual([
      'dns:infra1',
      'dns:infra1.example.com',
      'ip:10.0.0.11',
      'ip:fd00::11',
    ]);
    expect(leaf.signature).toBe('sha384');
    expect(leaf.issuerDer.equals(c.inter.subjectDer)).toBe(true);
    expect(isIssuedBy(leaf, c.inter)).toBe(true);
    expect(isIssuedBy(leaf, c.root)).toBe(false);
  });

  it('re-signs a certificate under a new CA key keeping subject, key and SANs', async () => {
    const c = await chain({ type: 'ec', curve: 'P-256' });
    const newKey = await generateKey({ type: 'ec', curve: 'P-256' });
    const newInter = await issueCertificate({
      subject: c.inter.subject,
      publicKey: newKey.publicKey,
      signer: { subjectDer: c.root.subjectDer, privateKey: c.keys.rk.privateKey },
      notBefore: now,
      notAfter: inAYear,
      extensions: { basicConstraints: { ca: true, pathlen: 0 }, keyUsage: ['keyCertSign'] },
    });
    expect(isIssuedBy(c.leaf, newInter)).toBe(false);
    const again = await resignCertificate(
      c.leaf,
      { subjectDer: newInter.subjectDer, privateKey: newKey.privateKey },
      now,
    );
    expect(isIssuedBy(again, newInter)).toBe(true);
    expect(again.subjectDer.equals(c.leaf.subjectDer)).toBe(true);
    expect(again.san).toEqual(c.leaf.san);
    expect(again.serial).not.toBe(c.leaf.serial);
    expect(again.notAfter.getTime() - again.notBefore.getTime()).toBe(
      c.leaf.notAfter.getTime() - c.leaf.notBefore.getTime(),
    );
    await fs.writeFile(c.files.inter, newInter.pem);
    await fs.writeFile(c.files.leaf, again.pem);
    expect((await verify(c.files)).stdout.trim()).toBe(`${c.files.leaf}: OK`);
  });
});
