/**
 * Reading a user's PKCS#12 bundle. node-forge is the one library here that
 * decrypts every PKCS#12 flavour (PBES2/AES, legacy 3DES and RC2); it is loaded
 * only for this. It cannot parse EC keys itself, so keys and certificates are
 * taken as raw ASN.1 and handed to Node's crypto.
 */
import crypto, { type KeyObject } from 'node:crypto';
import { OvnctlError } from '../errors.js';

export interface Pkcs12Content {
  keys: KeyObject[];
  /** DER certificates in bundle order. */
  certificates: Buffer[];
}

const KEY_BAG = '1.2.840.113549.1.12.10.1.1';
const SHROUDED_KEY_BAG = '1.2.840.113549.1.12.10.1.2';
const CERT_BAG = '1.2.840.113549.1.12.10.1.3';

export async function readPkcs12(data: Buffer, what: string, passphrase = ''): Promise<Pkcs12Content> {
  const forge = (await import('node-forge')).default;
  let p12: import('node-forge').pkcs12.Pkcs12Pfx;
  try {
    const asn1 = forge.asn1.fromDer(forge.util.createBuffer(data.toString('binary')));
    p12 = forge.pkcs12.pkcs12FromAsn1(asn1, false, passphrase);
  } catch (e) {
    const msg = e instanceof Error ? e.message : '';
    if (/MAC could not be verified|Invalid password|decrypt/i.test(msg)) {
      throw new OvnctlError('invalid-input', `cannot open ${what}: wrong passphrase`);
    }
    throw new OvnctlError('invalid-input', `${what} is not a readable PKCS#12 bundle`);
  }
  const der = (asn1: import('node-forge').asn1.Asn1) =>
    Buffer.from(forge.asn1.toDer(asn1).getBytes(), 'binary');
  const out: Pkcs12Content = { keys: [], certificates: [] };
  for (const safe of p12.safeContents) {
    for (const bag of safe.safeBags) {
      const asn1 = (bag as { asn1?: import('node-forge').asn1.Asn1 }).asn1;
      if (bag.type === KEY_BAG || bag.type === SHROUDED_KEY_BAG) {
        if (asn1) out.keys.push(crypto.createPrivateKey({ key: der(asn1), format: 'der', type: 'pkcs8' }));
        else if (bag.key) out.keys.push(crypto.createPrivateKey(forge.pki.privateKeyToPem(bag.key)));
      } else if (bag.type === CERT_BAG) {
        if (bag.cert) out.certificates.push(der(forge.pki.certificateToAsn1(bag.cert)));
        else if (asn1) out.certificates.push(der(asn1));
      }
    }
  }
  return out;
}
