/** Judging a served chain: trust path to the expected CA, names covered, serial expected. */
import type { X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/** A chain deeper than this is a loop or an attack, not a PKI. */
const MAX_DEPTH = 8;

export function subjectText(cert: X509Certificate): string {
  return cert.subject.split('\n').join(', ');
}

/** Lower-case hex without separators or leading zeros (`openssl x509 -serial` and Node agree then). */
export function normalizeSerial(serial: string | number): string {
  const hex = String(serial).trim().toLowerCase().replace(/^0x/, '').replace(/[:\s]/g, '');
  return hex.replace(/^0+(?=.)/, '');
}

function validityProblem(cert: X509Certificate, now: Date, role: string): string | undefined {
  if (now < new Date(cert.validFrom))
    return `${role} '${subjectText(cert)}' is not valid before ${cert.validFrom}`;
  if (now > new Date(cert.validTo)) return `${role} '${subjectText(cert)}' expired on ${cert.validTo}`;
  return undefined;
}

function issues(child: X509Certificate, issuer: X509Certificate): boolean {
  try {
    return child.checkIssued(issuer) && child.verify(issuer.publicKey);
  } catch {
    return false;
  }
}

/**
 * Walks from the served leaf through the served intermediates until a certificate is one of the
 * trust anchors or is signed by one. Partial chains are accepted on purpose: a CA file holding
 * only the intermediate is a valid (and common) trust anchor for service-to-service TLS.
 * Returns undefined when the chain verifies, else why not.
 */
export function chainProblem(
  served: readonly X509Certificate[],
  anchors: readonly X509Certificate[],
  now: Date,
): string | undefined {
  let current = served[0];
  if (!current) return 'the server sent no certificate';
  const pool = served.slice(1);
  const used = new Set<X509Certificate>([current]);
  for (let depth = 0; depth < MAX_DEPTH; depth++) {
    const role = depth === 0 ? 'served certificate' : 'served intermediate';
    const expired = validityProblem(current, now, role);
    if (expired) return expired;
    const cur: X509Certificate = current;
    if (anchors.some((a) => a.raw.equals(cur.raw))) return undefined;
    const anchor = anchors.find((a) => issues(cur, a));
    if (anchor) return validityProblem(anchor, now, 'CA certificate');
    const next = pool.find((c) => !used.has(c) && issues(cur, c));
    if (!next) {
      return `no issuer of '${subjectText(cur)}' (issued by '${cur.issuer.split('\n').join(', ')}') is among the served chain or the CA certificates`;
    }
    if (!next.ca)
      return `'${subjectText(next)}', which signed '${subjectText(cur)}', is not a CA certificate`;
    used.add(next);
    current = next;
  }
  return `the served chain is longer than ${MAX_DEPTH} certificates`;
}

/** The expected names the certificate's SANs (DNS or IP, wildcards as browsers apply them) do not cover. */
export function uncoveredNames(cert: X509Certificate, names: readonly string[]): string[] {
  return names.filter((name) => {
    const n = name.trim();
    if (isIP(n) !== 0) return cert.checkIP(n) === undefined;
    return cert.checkHost(n, { subject: 'never' }) === undefined;
  });
}

export function sanText(cert: X509Certificate): string {
  return cert.subjectAltName?.replace(/IP Address:/g, 'IP:') ?? 'none';
}
