import { beforeAll, describe, expect, it } from 'vitest';
import { type DecideInput, decide, type Wanted } from '../../../src/pki/decide.js';
import { parseSan, type SanEntry } from '../../../src/pki/extensions.js';
import type { CertInfo } from '../../../src/pki/inspect.js';
import { issueCertificate } from '../../../src/pki/issue.js';
import { generateKey, type KeyPair } from '../../../src/pki/keys.js';
import { subjectFromFields } from '../../../src/pki/names.js';

const DAY = 86_400_000;
const issued = new Date('2030-01-01T00:00:00Z');
const expires = new Date(issued.getTime() + 100 * DAY);
const EC = { type: 'ec', curve: 'P-256' } as const;
const san = (v: unknown): SanEntry[] => parseSan(v, 'x') ?? [];

let caKey: KeyPair;
let ca: CertInfo;
let leafKey: KeyPair;
let leaf: CertInfo;

const want = (over: Partial<Wanted> = {}): Wanted => ({
  subject: subjectFromFields({ cn: 'infra1' }, 'x'),
  san: san({ dns: ['infra1'], ip: ['10.0.0.11'] }),
  keyUsage: ['digitalSignature'],
  extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
  keySpec: EC,
  keySpecExplicit: false,
  ...over,
});

function input(over: Partial<DecideInput> = {}): DecideInput {
  return {
    kind: 'leaf',
    want: want(),
    existing: { cert: leaf, key: leafKey.privateKey },
    signer: { name: 'ExampleCorpIntermediate', subjectDer: ca.subjectDer, publicKey: ca.publicKey },
    now: new Date(issued.getTime() + DAY),
    renewBeforeMs: 10 * DAY,
    ...over,
  };
}

beforeAll(async () => {
  [caKey, leafKey] = await Promise.all([generateKey(EC), generateKey(EC)]);
  ca = await issueCertificate({
    subject: subjectFromFields({ cn: 'CA' }, 'x'),
    publicKey: caKey.publicKey,
    selfKey: caKey.privateKey,
    notBefore: issued,
    notAfter: new Date(issued.getTime() + 3650 * DAY),
    extensions: { basicConstraints: { ca: true }, keyUsage: ['keyCertSign'] },
  });
  leaf = await issueCertificate({
    subject: want().subject,
    publicKey: leafKey.publicKey,
    signer: { subjectDer: ca.subjectDer, privateKey: caKey.privateKey },
    notBefore: issued,
    notAfter: expires,
    extensions: {
      basicConstraints: { ca: false },
      keyUsage: ['digitalSignature'],
      extendedKeyUsage: ['1.3.6.1.5.5.7.3.1'],
      san: want().san ?? [],
    },
  });
});

describe('decide', () => {
  it('keeps a certificate that matches everything asked', () => {
    expect(decide(input())).toEqual({ action: 'keep' });
  });

  it('creates what is missing', () => {
    expect(decide(input({ existing: { cert: null, key: null } }))).toEqual({
      action: 'create',
      reason: 'does not exist',
      newKey: true,
    });
    expect(decide(input({ existing: { cert: leaf, key: null } }))).toEqual({
      action: 'create',
      reason: 'private key missing',
      newKey: true,
    });
    expect(decide(input({ existing: { cert: null, key: leafKey.privateKey } }))).toEqual({
      action: 'create',
      reason: 'certificate missing (existing key kept)',
      newKey: false,
    });
  });

  it('reissues when the certificate does not match its key', async () => {
    const other = await generateKey(EC);
    expect(decide(input({ existing: { cert: leaf, key: other.privateKey } }))).toEqual({
      action: 'reissue',
      reason: 'certificate does not match its private key',
      newKey: false,
    });
  });

  it('reissues when the signer is not the current CA (after a CA regeneration)', async () => {
    const newCaKey = await generateKey(EC);
    const newCa = await issueCertificate({
      subject: ca.subject,
      publicKey: newCaKey.publicKey,
      selfKey: newCaKey.privateKey,
      notBefore: issued,
      notAfter: new Date(issued.getTime() + 3650 * DAY),
      extensions: { basicConstraints: { ca: true } },
    });
    const d = decide(
      input({
        signer: { name: 'ExampleCorpIntermediate', subjectDer: newCa.subjectDer, publicKey: newCa.publicKey },
      }),
    );
    expect(d).toEqual({
      action: 'reissue',
      reason: 'not signed by the current ExampleCorpIntermediate',
      newKey: false,
    });
  });

  it('reissues with the exact content difference', () => {
    expect(
      decide(
        input({
          want: want({ san: san({ dns: ['infra1', 'infra1.example'], ip: ['10.0.0.11'] }) }),
        }),
      ),
    ).toMatchObject({
      action: 'reissue',
      reason: 'SAN changed (+DNS:infra1.example)',
    });
    expect(
      decide(input({ want: want({ keyUsage: ['digitalSignature', 'keyEncipherment'] }) })),
    ).toMatchObject({
      reason: 'key usage changed (digitalSignature -> digitalSignature,keyEncipherment)',
    });
    expect(
      decide(input({ want: want({ extendedKeyUsage: ['1.3.6.1.5.5.7.3.1', '1.3.6.1.5.5.7.3.2'] }) })),
    ).toMatchObject({
      reason: 'extended key usage changed (serverAuth -> serverAuth,clientAuth)',
    });
    expect(
      decide(input({ want: want({ subject: subjectFromFields({ cn: 'infra2' }, 'x') }) })),
    ).toMatchObject({
      reason: 'subject changed (/CN=infra1 -> /CN=infra2)',
    });
    expect(decide(input({ want: want({ basicConstraints: { ca: true, pathlen: 0 } }) }))).toMatchObject({
      reason: 'basic constraints changed (CA:FALSE -> CA:TRUE,pathlen:0)',
    });
  });

  it('does not compare what the entry does not ask for', () => {
    const { san: _s, keyUsage: _k, extendedKeyUsage: _e, ...rest } = want();
    expect(decide(input({ want: rest }))).toEqual({ action: 'keep' });
  });

  it('accepts the subject OSA produced for the same fields', () => {
    const w = want({
      subject: subjectFromFields({ cn: 'infra1', email_address: 'x@y' }, 'x'),
      acceptedSubjects: [want().subject],
    });
    expect(decide(input({ want: w }))).toEqual({ action: 'keep' });
  });

  it('renews within the renewal window, using the injected clock', () => {
    const justOutside = new Date(expires.getTime() - 10 * DAY - 1000);
    const justInside = new Date(expires.getTime() - 10 * DAY + 1000);
    expect(decide(input({ now: justOutside }))).toEqual({ action: 'keep' });
    expect(decide(input({ now: justInside }))).toEqual({
      action: 'reissue',
      reason: 'expires on 2030-04-11T00:00:00Z, within the renewal window (10d)',
      newKey: false,
    });
    expect(decide(input({ now: new Date(expires.getTime() + 1) }))).toMatchObject({
      reason: 'expired on 2030-04-11T00:00:00Z',
    });
  });

  it('regenerates with a new key when a regen flag names it', () => {
    expect(decide(input({ regen: 'pki_regen_cert: haproxy_infra1' }))).toEqual({
      action: 'reissue',
      reason: 'regeneration requested (pki_regen_cert: haproxy_infra1)',
      newKey: true,
    });
  });

  it('replaces the key only when the entry itself asks for another kind', () => {
    expect(
      decide(input({ want: want({ keySpec: { type: 'rsa', size: 2048 }, keySpecExplicit: false }) })),
    ).toEqual({ action: 'keep' });
    expect(
      decide(input({ want: want({ keySpec: { type: 'rsa', size: 2048 }, keySpecExplicit: true }) })),
    ).toEqual({
      action: 'reissue',
      reason: 'key type changed (EC P-256 -> RSA-2048)',
      newKey: true,
    });
  });

  it('refuses to replace a CA whose key is missing or does not match', async () => {
    const caInput = (key: KeyPair['privateKey'] | null) =>
      input({
        kind: 'ca',
        signer: null,
        want: { subject: ca.subject, keySpec: EC, keySpecExplicit: false },
        existing: { cert: ca, key },
      });
    expect(decide(caInput(caKey.privateKey))).toEqual({ action: 'keep' });
    expect(decide(caInput(null))).toEqual({
      action: 'fail',
      reason: 'its certificate exists but its private key is missing',
    });
    const other = await generateKey(EC);
    expect(decide(caInput(other.privateKey))).toEqual({
      action: 'fail',
      reason: 'its certificate does not match its private key',
    });
  });
});
