/** Building and signing certificates: TBSCertificate from @peculiar/asn1-x509, signature from Node's crypto. */
import crypto, { type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { children, content, readTlv } from './der.js';
import { type BasicConstraints, KEY_USAGES, type KeyUsage, type SanEntry } from './extensions.js';
import { type CertInfo, EXT, parseCertificateDer } from './inspect.js';
import { type Digest, defaultDigest, keySpecOf, spki } from './keys.js';
import { OID, type SubjectAttr } from './names.js';
import { type Asn1, loadAsn1 } from './x509-lib.js';

/** Who signs: a CA's subject and private key. */
export interface Signer {
  subjectDer: Buffer;
  privateKey: KeyObject;
}

export interface ExtensionSet {
  basicConstraints?: BasicConstraints;
  keyUsage?: readonly KeyUsage[];
  /** OIDs. */
  extendedKeyUsage?: readonly string[];
  san?: readonly SanEntry[];
}

export interface IssueRequest {
  subject: readonly SubjectAttr[];
  publicKey: KeyObject;
  /** Omitted: self-signed with `selfKey`. */
  signer?: Signer;
  selfKey?: KeyObject;
  notBefore: Date;
  notAfter: Date;
  extensions: ExtensionSet;
  /** Ignored for Ed25519 signers; defaults from the signer's key. */
  digest?: Digest;
  serial?: string;
}

const sign = promisify(crypto.sign);

/** 16 random bytes, top bit clear and second bit set: positive, always 16 bytes long. */
export function randomSerial(): string {
  const b = crypto.randomBytes(16);
  b[0] = ((b[0] as number) & 0x7f) | 0x40;
  return b.toString('hex');
}

/** RFC 5280 key identifier: SHA-1 of the subjectPublicKey bits. */
export function keyIdentifier(key: KeyObject): Buffer {
  const [, bits] = children(readTlv(spki(key), 0));
  const value = bits ? content(bits).subarray(1) : Buffer.alloc(0);
  return crypto.createHash('sha1').update(value).digest();
}

/** Signature algorithm OID and whether it carries NULL parameters (RSA does). */
function signatureAlgorithm(
  key: KeyObject,
  digest: Digest | null,
): { oid: string; nullParams: boolean; hash: string | null } {
  const spec = keySpecOf(key);
  const d = digest ?? 'sha256';
  if (spec.type === 'ed25519') return { oid: '1.3.101.112', nullParams: false, hash: null };
  if (spec.type === 'ec')
    return { oid: `1.2.840.10045.4.3.${{ sha256: 2, sha384: 3, sha512: 4 }[d]}`, nullParams: false, hash: d };
  return {
    oid: `1.2.840.113549.1.1.${{ sha256: 11, sha384: 12, sha512: 13 }[d]}`,
    nullParams: true,
    hash: d,
  };
}

function toArrayBuffer(b: Buffer): ArrayBuffer {
  return b.buffer.slice(b.byteOffset, b.byteOffset + b.length) as ArrayBuffer;
}

function nameOf(a: Asn1, attrs: readonly SubjectAttr[]) {
  const { x509 } = a;
  return new x509.Name(
    attrs.map((attr) => {
      const value =
        attr.oid === OID.C
          ? new x509.AttributeValue({ printableString: attr.value })
          : attr.oid === OID.emailAddress
            ? new x509.AttributeValue({ ia5String: attr.value })
            : new x509.AttributeValue({ utf8String: attr.value });
      return new x509.RelativeDistinguishedName([new x509.AttributeTypeAndValue({ type: attr.oid, value })]);
    }),
  );
}

function extension(a: Asn1, oid: string, critical: boolean, value: unknown) {
  const der = value instanceof Buffer ? value : Buffer.from(a.schema.AsnConvert.serialize(value));
  return new a.x509.Extension({
    extnID: oid,
    critical,
    extnValue: new a.schema.OctetString(toArrayBuffer(der)),
  });
}

function newExtensions(
  a: Asn1,
  e: ExtensionSet,
  subjectKey: KeyObject,
  issuerKey: KeyObject,
  emptySubject: boolean,
) {
  const { x509 } = a;
  const out = [];
  if (e.basicConstraints) {
    const bc = new x509.BasicConstraints({ cA: e.basicConstraints.ca });
    if (e.basicConstraints.pathlen !== undefined) bc.pathLenConstraint = e.basicConstraints.pathlen;
    out.push(extension(a, EXT.basicConstraints, true, bc));
  }
  if (e.keyUsage && e.keyUsage.length > 0) {
    const flags = e.keyUsage.reduce((acc, ku) => acc | (1 << KEY_USAGES.indexOf(ku)), 0);
    out.push(extension(a, EXT.keyUsage, true, new x509.KeyUsage(flags)));
  }
  if (e.extendedKeyUsage && e.extendedKeyUsage.length > 0) {
    out.push(extension(a, EXT.extendedKeyUsage, false, new x509.ExtendedKeyUsage([...e.extendedKeyUsage])));
  }
  if (e.san && e.san.length > 0) {
    const names = e.san.map((s) => {
      if (s.type === 'dns') return new x509.GeneralName({ dNSName: s.value });
      if (s.type === 'ip') return new x509.GeneralName({ iPAddress: s.value });
      if (s.type === 'uri') return new x509.GeneralName({ uniformResourceIdentifier: s.value });
      return new x509.GeneralName({ rfc822Name: s.value });
    });
    out.push(extension(a, EXT.subjectAltName, emptySubject, new x509.SubjectAlternativeName(names)));
  }
  out.push(
    extension(
      a,
      EXT.subjectKeyId,
      false,
      new x509.SubjectKeyIdentifier(toArrayBuffer(keyIdentifier(subjectKey))),
    ),
  );
  out.push(
    extension(
      a,
      EXT.authorityKeyId,
      false,
      new x509.AuthorityKeyIdentifier({
        keyIdentifier: new x509.KeyIdentifier(toArrayBuffer(keyIdentifier(issuerKey))),
      }),
    ),
  );
  return out;
}

/** Serialise the TBS, sign it (asynchronously, on libuv's pool), and wrap it into a Certificate. */
async function build(
  a: Asn1,
  parts: {
    serial: string;
    issuer: unknown;
    subject: unknown;
    publicKey: KeyObject;
    notBefore: Date;
    notAfter: Date;
    extensions: unknown[];
    signingKey: KeyObject;
    digest: Digest | null;
  },
): Promise<CertInfo> {
  const { x509, schema } = a;
  const alg = signatureAlgorithm(parts.signingKey, parts.digest);
  const algId = () =>
    alg.nullParams
      ? new x509.AlgorithmIdentifier({ algorithm: alg.oid, parameters: null })
      : new x509.AlgorithmIdentifier({ algorithm: alg.oid });
  const tbs = new x509.TBSCertificate({
    version: x509.Version.v3,
    serialNumber: toArrayBuffer(Buffer.from(parts.serial, 'hex')),
    signature: algId(),
    issuer: parts.issuer as InstanceType<typeof x509.Name>,
    validity: new x509.Validity({ notBefore: parts.notBefore, notAfter: parts.notAfter }),
    subject: parts.subject as InstanceType<typeof x509.Name>,
    subjectPublicKeyInfo: schema.AsnConvert.parse(spki(parts.publicKey), x509.SubjectPublicKeyInfo),
    extensions: new x509.Extensions(parts.extensions as InstanceType<typeof x509.Extension>[]),
  });
  const tbsDer = Buffer.from(schema.AsnConvert.serialize(tbs));
  const signature = await sign(alg.hash, tbsDer, parts.signingKey);
  const cert = new x509.Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algId(),
    signatureValue: toArrayBuffer(signature),
  });
  return parseCertificateDer(Buffer.from(schema.AsnConvert.serialize(cert)), 'new certificate');
}

/** A CA signs many certificates in one plan: its name is parsed once (the objects are only serialised). */
const issuerNames = new Map<string, unknown>();
function issuerName(a: Asn1, der: Buffer) {
  const k = der.toString('base64');
  let name = issuerNames.get(k);
  if (!name) {
    name = a.schema.AsnConvert.parse(der, a.x509.Name);
    if (issuerNames.size > 64) issuerNames.clear();
    issuerNames.set(k, name);
  }
  return name;
}

function digestFor(key: KeyObject, wanted: Digest | undefined): Digest | null {
  const spec = keySpecOf(key);
  return spec.type === 'ed25519' ? null : (wanted ?? defaultDigest(spec));
}

export async function issueCertificate(req: IssueRequest): Promise<CertInfo> {
  const a = await loadAsn1();
  const signingKey = req.signer?.privateKey ?? req.selfKey;
  if (!signingKey) throw new Error('issueCertificate: neither signer nor selfKey given');
  const subject = nameOf(a, req.subject);
  const issuer = req.signer ? issuerName(a, req.signer.subjectDer) : subject;
  return build(a, {
    serial: req.serial ?? randomSerial(),
    issuer,
    subject,
    publicKey: req.publicKey,
    notBefore: req.notBefore,
    notAfter: req.notAfter,
    extensions: newExtensions(a, req.extensions, req.publicKey, signingKey, req.subject.length === 0),
    signingKey,
    digest: digestFor(signingKey, req.digest),
  });
}

/**
 * A new signature over an existing certificate: same subject, key and
 * extensions (authority key id updated), same lifetime length from `notBefore`.
 */
export async function resignCertificate(
  old: CertInfo,
  signer: Signer,
  notBefore: Date,
  digest?: Digest,
): Promise<CertInfo> {
  const a = await loadAsn1();
  const lifetime = old.notAfter.getTime() - old.notBefore.getTime();
  const exts = [];
  for (const [oid, ext] of old.extensions) {
    if (oid !== EXT.authorityKeyId) exts.push(extension(a, oid, ext.critical, ext.value));
  }
  exts.push(
    extension(
      a,
      EXT.authorityKeyId,
      false,
      new a.x509.AuthorityKeyIdentifier({
        keyIdentifier: new a.x509.KeyIdentifier(toArrayBuffer(keyIdentifier(signer.privateKey))),
      }),
    ),
  );
  return build(a, {
    serial: randomSerial(),
    issuer: issuerName(a, signer.subjectDer),
    subject: a.schema.AsnConvert.parse(old.subjectDer, a.x509.Name),
    publicKey: old.publicKey,
    notBefore,
    notAfter: new Date(notBefore.getTime() + lifetime),
    extensions: exts,
    signingKey: signer.privateKey,
    digest: digestFor(signer.privateKey, digest),
  });
}
