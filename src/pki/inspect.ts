/** Reading certificates: names, validity, extensions, key match and chain checks. */
import crypto, { type KeyObject } from 'node:crypto';
import { OvnctlError } from '../errors.js';
import {
  children,
  content,
  DerError,
  decodeOid,
  decodeString,
  decodeTime,
  raw,
  readTlv,
  type Tlv,
} from './der.js';
import { type BasicConstraints, ipText, KEY_USAGES, type KeyUsage, type SanEntry } from './extensions.js';
import { sameKey } from './keys.js';
import type { SubjectAttr } from './names.js';
import { derToPem, isCertificateLabel, splitPem } from './pem.js';

export interface ExtensionValue {
  critical: boolean;
  /** extnValue contents (the DER inside the OCTET STRING). */
  value: Buffer;
}

export interface CertInfo {
  der: Buffer;
  /** Canonical PEM text of this certificate. */
  pem: string;
  readonly x509: crypto.X509Certificate;
  readonly publicKey: KeyObject;
  /** Lower-case hex, no leading zeros. */
  serial: string;
  subject: SubjectAttr[];
  subjectDer: Buffer;
  issuer: SubjectAttr[];
  issuerDer: Buffer;
  notBefore: Date;
  notAfter: Date;
  /** Signature digest (sha256...), 'ed25519', or the algorithm OID when unknown. */
  signature: string;
  extensions: Map<string, ExtensionValue>;
  basicConstraints?: BasicConstraints;
  keyUsage?: KeyUsage[];
  /** Extended key usage OIDs, sorted. */
  extendedKeyUsage?: string[];
  san?: SanEntry[];
  /** SAN entries of kinds ovnctl does not manage (otherName, directoryName...). */
  sanOther: number;
  subjectKeyId?: string;
  authorityKeyId?: string;
}

export const EXT = {
  basicConstraints: '2.5.29.19',
  keyUsage: '2.5.29.15',
  extendedKeyUsage: '2.5.29.37',
  subjectAltName: '2.5.29.17',
  subjectKeyId: '2.5.29.14',
  authorityKeyId: '2.5.29.35',
} as const;

const SIG: Record<string, string> = {
  '1.2.840.10045.4.3.2': 'sha256',
  '1.2.840.10045.4.3.3': 'sha384',
  '1.2.840.10045.4.3.4': 'sha512',
  '1.2.840.113549.1.1.11': 'sha256',
  '1.2.840.113549.1.1.12': 'sha384',
  '1.2.840.113549.1.1.13': 'sha512',
  '1.2.840.113549.1.1.5': 'sha1',
  '1.3.101.112': 'ed25519',
};

function name(tlv: Tlv): SubjectAttr[] {
  const out: SubjectAttr[] = [];
  for (const rdn of children(tlv)) {
    for (const atv of children(rdn)) {
      const [type, value] = children(atv);
      if (type && value) out.push({ oid: decodeOid(type), value: decodeString(value) });
    }
  }
  return out;
}

function bitString(tlv: Tlv): KeyUsage[] {
  const b = content(tlv);
  const out: KeyUsage[] = [];
  KEY_USAGES.forEach((ku, i) => {
    const byte = b[1 + (i >> 3)];
    if (byte !== undefined && byte & (0x80 >> (i & 7))) out.push(ku);
  });
  return out;
}

function san(value: Buffer): { names: SanEntry[]; other: number } {
  const names: SanEntry[] = [];
  let other = 0;
  for (const gn of children(readTlv(value, 0))) {
    const v = content(gn);
    if (gn.tag === 0x82) names.push({ type: 'dns', value: v.toString('latin1').toLowerCase() });
    else if (gn.tag === 0x87) names.push({ type: 'ip', value: ipText(v) });
    else if (gn.tag === 0x86) names.push({ type: 'uri', value: v.toString('latin1') });
    else if (gn.tag === 0x81) names.push({ type: 'email', value: v.toString('latin1') });
    else other++;
  }
  return { names, other };
}

function applyExtensions(info: CertInfo): void {
  const bc = info.extensions.get(EXT.basicConstraints);
  if (bc) {
    const parts = children(readTlv(bc.value, 0));
    const caPart = parts.find((p) => p.tag === 0x01);
    const lenPart = parts.find((p) => p.tag === 0x02);
    info.basicConstraints = { ca: caPart ? (content(caPart)[0] ?? 0) !== 0 : false };
    if (lenPart)
      info.basicConstraints.pathlen = content(lenPart).readUIntBE(0, Math.min(content(lenPart).length, 6));
  }
  const ku = info.extensions.get(EXT.keyUsage);
  if (ku) info.keyUsage = bitString(readTlv(ku.value, 0));
  const eku = info.extensions.get(EXT.extendedKeyUsage);
  if (eku) info.extendedKeyUsage = children(readTlv(eku.value, 0)).map(decodeOid).sort();
  const alt = info.extensions.get(EXT.subjectAltName);
  if (alt) {
    const s = san(alt.value);
    info.san = s.names;
    info.sanOther = s.other;
  }
  const ski = info.extensions.get(EXT.subjectKeyId);
  if (ski) info.subjectKeyId = content(readTlv(ski.value, 0)).toString('hex');
  const aki = info.extensions.get(EXT.authorityKeyId);
  if (aki) {
    const id = children(readTlv(aki.value, 0)).find((c) => c.tag === 0x80);
    if (id) info.authorityKeyId = content(id).toString('hex');
  }
}

/** Parse one DER certificate. `what` names its file for error messages. */
export function parseCertificateDer(der: Buffer, what: string): CertInfo {
  let info: CertInfo;
  try {
    const cert = readTlv(der, 0);
    if (cert.end !== der.length) throw new DerError('trailing data after the certificate');
    const [tbs, sigAlg] = children(cert);
    if (!tbs || !sigAlg) throw new DerError('short certificate');
    const t = children(tbs);
    let i = t[0]?.tag === 0xa0 ? 1 : 0;
    const serialTlv = t[i++] as Tlv;
    i++; // inner signature algorithm
    const issuerTlv = t[i++] as Tlv;
    const validity = children(t[i++] as Tlv);
    const subjectTlv = t[i++] as Tlv;
    const spkiTlv = t[i] as Tlv;
    const extensions = new Map<string, ExtensionValue>();
    for (const rest of t.slice(i + 1)) {
      if (rest.tag !== 0xa3) continue;
      for (const ext of children(readTlv(rest.buf, rest.start))) {
        const parts = children(ext);
        const oid = decodeOid(parts[0] as Tlv);
        const critical = parts.length === 3 && (content(parts[1] as Tlv)[0] ?? 0) !== 0;
        extensions.set(oid, { critical, value: Buffer.from(content(parts[parts.length - 1] as Tlv)) });
      }
    }
    const sigOid = decodeOid(children(sigAlg)[0] as Tlv);
    // Node's parser (and its public key) only when a signature is checked: most plans never need it.
    let x509: crypto.X509Certificate | undefined;
    let publicKey: KeyObject | undefined;
    const spkiDer = Buffer.from(raw(spkiTlv));
    info = {
      der,
      pem: derToPem(der),
      get x509() {
        x509 ??= new crypto.X509Certificate(der);
        return x509;
      },
      get publicKey() {
        publicKey ??= crypto.createPublicKey({ key: spkiDer, format: 'der', type: 'spki' });
        return publicKey;
      },
      serial: content(serialTlv)
        .toString('hex')
        .replace(/^0+(?=.)/, ''),
      subject: name(subjectTlv),
      subjectDer: Buffer.from(raw(subjectTlv)),
      issuer: name(issuerTlv),
      issuerDer: Buffer.from(raw(issuerTlv)),
      notBefore: decodeTime(validity[0] as Tlv),
      notAfter: decodeTime(validity[1] as Tlv),
      signature: SIG[sigOid] ?? sigOid,
      extensions,
      sanOther: 0,
    };
    applyExtensions(info);
  } catch (e) {
    throw new OvnctlError(
      'invalid-input',
      `${what}: cannot read certificate (${e instanceof Error ? e.message : 'bad DER'})`,
    );
  }
  return info;
}

/** Parse with Node's X.509 parser as well: for files a user hands in. */
export function parseCertificateStrict(der: Buffer, what: string): CertInfo {
  const info = parseCertificateDer(der, what);
  try {
    void info.x509;
    void info.publicKey;
  } catch {
    throw new OvnctlError('invalid-input', `${what} is not a valid X.509 certificate`);
  }
  return info;
}

/** Every certificate in a PEM file, in file order. */
export function parseCertificates(pem: Buffer | string, what: string): CertInfo[] {
  const text = typeof pem === 'string' ? pem : pem.toString('utf8');
  return splitPem(text)
    .filter((b) => isCertificateLabel(b.label))
    .map((b, i) => parseCertificateStrict(b.der, i === 0 ? what : `${what} (certificate ${i + 1})`));
}

/** The first certificate of a PEM file; an error when there is none. */
export function parseCertificate(pem: Buffer | string, what: string): CertInfo {
  const first = parseCertificates(pem, what)[0];
  if (!first) throw new OvnctlError('invalid-input', `${what} holds no PEM certificate`);
  return first;
}

export function nameFromDer(der: Buffer): SubjectAttr[] {
  return name(readTlv(der, 0));
}

/** Name matching as path validation does it: same RDN order, values equal ignoring case and extra spaces. */
function sameOrderedName(a: readonly SubjectAttr[], b: readonly SubjectAttr[]): boolean {
  const norm = (v: string) => v.trim().replace(/\s+/g, ' ').toLowerCase();
  return (
    a.length === b.length &&
    a.every((x, i) => x.oid === b[i]?.oid && norm(x.value) === norm(b[i]?.value ?? ''))
  );
}

export function keyMatchesCert(key: KeyObject, cert: CertInfo): boolean {
  // OpenSSL compares the key pair directly: ~30x cheaper than exporting both public keys.
  if (key.type === 'private') {
    try {
      return cert.x509.checkPrivateKey(key);
    } catch {
      return false;
    }
  }
  return sameKey(key, cert.publicKey);
}

/** `child` names `issuer` as its issuer and carries a signature made by its key. */
export function isIssuedBy(child: CertInfo, issuer: { subjectDer: Buffer; publicKey: KeyObject }): boolean {
  if (
    !child.issuerDer.equals(issuer.subjectDer) &&
    !sameOrderedName(child.issuer, nameFromDer(issuer.subjectDer))
  ) {
    return false;
  }
  try {
    return child.x509.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

export function isSelfSigned(cert: CertInfo): boolean {
  return isIssuedBy(cert, cert);
}
