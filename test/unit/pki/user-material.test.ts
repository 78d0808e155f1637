import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readUserCa, readUserLeaf, type UserFile } from '../../../src/pki/user-material.js';
import { openssl } from './harness.js';

let dir: string;
const f = (n: string) => path.join(dir, n);
const file = async (n: string): Promise<UserFile> => ({ name: f(n), data: await fs.readFile(f(n)) });
// A minute ahead: the certificates below are made after this line runs, so their notBefore may be later.
const now = new Date(Date.now() + 60_000);
const later = new Date(now.getTime() + 400 * 86_400_000);

async function ok(args: string[]) {
  const r = await openssl(args);
  if (r.rc !== 0) throw new Error(`openssl ${args.join(' ')}: ${r.stderr}`);
}

beforeAll(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'ovnctl-user-'));
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  await ok([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('ca.key'),
    '-out',
    f('ca.crt'),
    '-subj',
    '/O=Corp/CN=Corp CA',
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  await ok([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('noca.key'),
    '-out',
    f('noca.crt'),
    '-subj',
    '/CN=Not a CA',
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:FALSE',
  ]);
  await ok([
    'req',
    '-x509',
    ...ec,
    '-keyout',
    f('nosign.key'),
    '-out',
    f('nosign.crt'),
    '-subj',
    '/CN=No Sign CA',
    '-days',
    '30',
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,digitalSignature',
  ]);
  await ok([
    'req',
    '-new',
    ...ec,
    '-keyout',
    f('leaf.key'),
    '-out',
    f('leaf.csr'),
    '-subj',
    '/CN=web.example.com',
  ]);
  await fs.writeFile(
    f('san.ext'),
    'subjectAltName=DNS:web.example.com,IP:192.0.2.10\nbasicConstraints=CA:FALSE\n',
  );
  await ok([
    'x509',
    '-req',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '20',
    '-extfile',
    f('san.ext'),
    '-out',
    f('leaf.crt'),
  ]);
  await ok([
    'x509',
    '-req',
    '-in',
    f('leaf.csr'),
    '-CA',
    f('ca.crt'),
    '-CAkey',
    f('ca.key'),
    '-CAcreateserial',
    '-days',
    '20',
    '-out',
    f('nosan.crt'),
  ]);
  await fs.writeFile(
    f('combined.pem'),
    Buffer.concat([await fs.readFile(f('ca.crt')), await fs.readFile(f('ca.key'))]),
  );
  await ok([
    'pkcs12',
    '-export',
    '-inkey',
    f('ca.key'),
    '-in',
    f('ca.crt'),
    '-out',
    f('ca.p12'),
    '-passout',
    'pass:p12secret',
  ]);
  await ok([
    'pkcs12',
    '-export',
    '-legacy',
    '-inkey',
    f('ca.key'),
    '-in',
    f('ca.crt'),
    '-out',
    f('ca-legacy.p12'),
    '-passout',
    'pass:p12secret',
  ]);
  await ok(['pkey', '-in', f('ca.key'), '-aes256', '-passout', 'pass:keysecret', '-out', f('ca-enc.key')]);
});
afterAll(async () => {
  await fs.rm(dir, { recursive: true, force: true });
});

describe('user-provided CA', () => {
  it('is read from a certificate and a key file', async () => {
    const ca = await readUserCa({ cert: await file('ca.crt'), key: await file('ca.key') }, now);
    expect(ca.cert.subject.map((a) => a.value)).toEqual(['Corp', 'Corp CA']);
    expect(ca.chain).toEqual([]);
  });

  it('is read from one PEM holding both', async () => {
    const ca = await readUserCa({ cert: await file('combined.pem') }, now);
    expect(ca.cert.basicConstraints).toEqual({ ca: true });
  });

  it('is read from PKCS#12 bundles, modern and legacy', async () => {
    for (const n of ['ca.p12', 'ca-legacy.p12']) {
      const ca = await readUserCa({ pkcs12: await file(n), passphrase: 'p12secret' }, now);
      expect(ca.cert.subject.at(-1)?.value).toBe('Corp CA');
    }
  });

  it('is read with an encrypted key and its passphrase', async () => {
    const ca = await readUserCa(
      { cert: await file('ca.crt'), key: await file('ca-enc.key'), passphrase: 'keysecret' },
      now,
    );
    expect(ca.cert.keyUsage).toEqual(['keyCertSign', 'cRLSign']);
  });

  it('is refused with the reason', async () => {
    await expect(
      readUserCa({ cert: await file('ca.crt'), key: await file('leaf.key') }, now),
    ).rejects.toThrow(`the private key does not match the CA certificate in ${f('ca.crt')}`);
    await expect(
      readUserCa({ cert: await file('noca.crt'), key: await file('noca.key') }, now),
    ).rejects.toThrow(/is not a CA \(no CA:TRUE basic constraint\)/);
    await expect(
      readUserCa({ cert: await file('nosign.crt'), key: await file('nosign.key') }, now),
    ).rejects.toThrow(/may not sign certificates \(key usage lacks keyCertSign\)/);
    await expect(
      readUserCa({ cert: await file('ca.crt'), key: await file('ca.key') }, later),
    ).rejects.toThrow(/ca.crt expired on /);
    await expect(readUserCa({ pkcs12: await file('ca.p12'), passphrase: 'nope' }, now)).rejects.toThrow(
      `cannot open ${f('ca.p12')}: wrong passphrase`,
    );
    await expect(readUserCa({ cert: await file('ca.crt') }, now)).rejects.toThrow(
      /no private key for the CA/,
    );
    await expect(
      readUserCa(
        {
          cert: { name: '/x/garbage.pem', data: Buffer.from('not a pem at all') },
          key: await file('ca.key'),
        },
        now,
      ),
    ).rejects.toThrow('/x/garbage.pem holds no certificate');
    await expect(
      readUserCa(
        { cert: await file('ca.crt'), key: await file('ca-enc.key'), passphrase: 'wrong-keysecret' },
        now,
      ),
    ).rejects.toThrow(/wrong passphrase$/);
  });
});

describe('user-provided service certificate', () => {
  it('is accepted when key, chain, dates and SANs are right', async () => {
    const leaf = readUserLeaf(
      { cert: await file('leaf.crt'), key: await file('leaf.key'), ca: await file('ca.crt') },
      now,
    );
    expect(leaf.cert.san?.map((s) => s.value)).toEqual(['web.example.com', '192.0.2.10']);
    expect(leaf.chain.map((c) => c.subject.at(-1)?.value)).toEqual(['Corp CA']);
  });

  it('is refused with the reason', async () => {
    const leaf = await file('leaf.crt');
    const noca = await file('noca.crt');
    const nosan = await file('nosan.crt');
    const caKey = await file('ca.key');
    expect(() => readUserLeaf({ cert: leaf, key: { name: '/k', data: Buffer.from('') } }, now)).toThrow(
      '/k holds no PEM private key',
    );
    expect(() => readUserLeaf({ cert: leaf, key: caKey }, now)).toThrow(
      `${f('ca.key')} does not match the certificate in ${f('leaf.crt')}`,
    );
    expect(() => readUserLeaf({ cert: nosan }, now)).toThrow(/has no subject alternative names/);
    expect(() => readUserLeaf({ cert: leaf, ca: noca }, now)).toThrow(
      /does not chain to any certificate in .*noca.crt/,
    );
    expect(() => readUserLeaf({ cert: leaf }, later)).toThrow(/leaf.crt expired on/);
    expect(() =>
      readUserLeaf(
        {
          cert: {
            name: '/g.pem',
            data: Buffer.from('-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n'),
          },
        },
        now,
      ),
    ).toThrow(/\/g.pem: cannot read certificate/);
    expect(() => readUserLeaf({ cert: { name: '/e.pem', data: Buffer.from('') } }, now)).toThrow(
      '/e.pem holds no PEM certificate',
    );
  });
});
