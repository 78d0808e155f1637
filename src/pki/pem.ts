/** PEM blocks: splitting bundles and joining files the way `cat a b > c` would, minus its newline bug. */

export interface PemBlock {
  /** The label between BEGIN and END, e.g. `CERTIFICATE`, `PRIVATE KEY`. */
  label: string;
  der: Buffer;
  /** The block's text, normalised to end with a newline. */
  text: string;
}

const BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n([\s\S]*?)-----END \1-----/g;

export function splitPem(text: string): PemBlock[] {
  const out: PemBlock[] = [];
  for (const m of text.matchAll(BLOCK)) {
    const label = m[1] as string;
    const body = m[2] as string;
    // Encrypted legacy PEM keys carry headers (Proc-Type, DEK-Info) that are not base64.
    const b64 = body
      .split(/\r?\n/)
      .filter((line) => line.length > 0 && !line.includes(':'))
      .join('');
    out.push({ label, der: Buffer.from(b64, 'base64'), text: `${m[0].replace(/\r\n/g, '\n')}\n` });
  }
  return out;
}

export function isCertificateLabel(label: string): boolean {
  return label === 'CERTIFICATE' || label === 'TRUSTED CERTIFICATE' || label === 'X509 CERTIFICATE';
}

export function isPrivateKeyLabel(label: string): boolean {
  return label.endsWith('PRIVATE KEY');
}

export function derToPem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** Concatenate PEM files so that each part starts on its own line. */
export function concatPem(parts: readonly Buffer[]): Buffer {
  const out: Buffer[] = [];
  for (const p of parts) {
    if (p.length === 0) continue;
    out.push(p);
    if (p[p.length - 1] !== 0x0a) out.push(Buffer.from('\n'));
  }
  return Buffer.concat(out);
}
