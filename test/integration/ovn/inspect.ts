/** Looking at what a run left behind: certificates (with real openssl), files, OVSDB rows. */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** `openssl x509 -text` of a PEM file. */
export async function certText(file: string): Promise<string> {
  const { stdout } = await run('openssl', ['x509', '-in', file, '-noout', '-text', '-nameopt', 'RFC2253'], {
    timeout: 10_000,
  });
  return stdout;
}

export async function certSerial(file: string): Promise<string> {
  const { stdout } = await run('openssl', ['x509', '-in', file, '-noout', '-serial'], { timeout: 10_000 });
  return stdout
    .trim()
    .replace(/^serial=/, '')
    .toLowerCase();
}

export async function certSubject(file: string): Promise<string> {
  const { stdout } = await run(
    'openssl',
    ['x509', '-in', file, '-noout', '-subject', '-nameopt', 'RFC2253'],
    {
      timeout: 10_000,
    },
  );
  return stdout.trim().replace(/^subject=/, '');
}

/** Permission bits of a path. */
export function modeOf(path: string): number {
  return statSync(path).mode & 0o777;
}

/** sha256 of every file under `dir` (recursively), by path relative to `dir`. */
export function hashTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string, rel: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      const r = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory()) walk(p, r);
      else if (e.isFile()) out[r] = createHash('sha256').update(readFileSync(p)).digest('hex');
    }
  };
  walk(dir, '');
  return out;
}

/** A foreign CA and a client certificate it signed (both EKUs, P-384), made with openssl in `dir`. */
export async function foreignClient(dir: string): Promise<{ cert: string; key: string; ca: string }> {
  const ca = join(dir, 'foreign-ca.pem');
  const caKey = join(dir, 'foreign-ca.key');
  const key = join(dir, 'foreign-client.key');
  const csr = join(dir, 'foreign-client.csr');
  const cert = join(dir, 'foreign-client.pem');
  const ext = join(dir, 'foreign-ext.cnf');
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384', '-nodes'];
  await run('openssl', [
    'req',
    '-x509',
    ...ec,
    '-keyout',
    caKey,
    '-out',
    ca,
    '-subj',
    '/O=Elsewhere/CN=Other CA',
    '-days',
    '2',
  ]);
  await run('openssl', ['req', ...ec, '-keyout', key, '-out', csr, '-subj', '/O=Elsewhere/CN=intruder']);
  await writeFile(ext, 'extendedKeyUsage=serverAuth,clientAuth\n');
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csr,
    '-CA',
    ca,
    '-CAkey',
    caKey,
    '-CAcreateserial',
    '-out',
    cert,
    '-days',
    '1',
    '-extfile',
    ext,
  ]);
  return { cert, key, ca };
}

/** OVSDB `--format=json` output of one list command, as rows of {heading: raw cell}. */
export function jsonRows(stdout: string): Record<string, unknown>[] {
  const doc = JSON.parse(stdout) as { headings: string[]; data: unknown[][] };
  return doc.data.map((row) => Object.fromEntries(doc.headings.map((h, i) => [h, row[i]])));
}

/** An OVSDB map cell (`["map", [[k, v]...]]`) as a record. */
export function mapCell(cell: unknown): Record<string, string> {
  if (!Array.isArray(cell) || cell[0] !== 'map' || !Array.isArray(cell[1])) return {};
  return Object.fromEntries((cell[1] as [string, string][]).map(([k, v]) => [k, v]));
}
