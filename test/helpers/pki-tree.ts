import { createPrivateKey, createPublicKey, type KeyObject, X509Certificate } from 'node:crypto';
import { existsSync, lstatSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

/** `<file>.<YYYY-MM-DD@HH:MM:SS>~` (`.<n>~` when that is taken), ovnctl's backup name. */
const BACKUP = /\.\d{4}-\d\d-\d\d@\d\d:\d\d:\d\d(\.\d+)?~$/;
const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----\r?\n[\s\S]*?-----END \1-----/g;

export interface TreeAudit {
  /** Everything wrong: unreadable PEM, dangling links, leftover temp files, a key others can read. */
  problems: string[];
  /** Regular files by path (symlinks not included). */
  files: string[];
}

function walk(dir: string, out: string[]): void {
  if (!existsSync(dir)) return;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    const st = lstatSync(p);
    if (st.isDirectory()) walk(p, out);
    else out.push(p);
  }
}

export function readKey(pem: Buffer | string, passphrase?: string): KeyObject {
  return createPrivateKey(passphrase ? { key: pem, passphrase } : { key: pem });
}

/** Every certificate block of a PEM file, parsed (throws on any broken block or when there is none). */
export function readCerts(pem: Buffer | string): X509Certificate[] {
  const text = pem.toString();
  const blocks = text.match(PEM_BLOCK) ?? [];
  if (blocks.length === 0) throw new Error('no PEM block');
  return blocks.map((b) => {
    if (!b.startsWith('-----BEGIN CERTIFICATE-----')) throw new Error(`unexpected ${b.split('\n')[0]}`);
    return new X509Certificate(b);
  });
}

/**
 * Checks that every file under `dir` is whole and readable for what its name says it is:
 * keys load (with `passphrase` when encrypted), certificate files hold only valid certificates,
 * `serial` is a number, symlinks resolve, no `.ovnctl-` temp file is left behind, keys are 0600.
 */
export function auditPkiTree(dir: string, passphrase?: string): TreeAudit {
  const entries: string[] = [];
  walk(dir, entries);
  const problems: string[] = [];
  const files: string[] = [];
  for (const p of entries) {
    const name = p.slice(dir.length + 1);
    if (p.includes('.ovnctl-')) {
      problems.push(`${name}: temp file left behind`);
      continue;
    }
    if (lstatSync(p).isSymbolicLink()) {
      if (!existsSync(p)) problems.push(`${name}: dangling symlink`);
      continue;
    }
    files.push(p);
    const base = p.replace(BACKUP, '');
    const data = readFileSync(p);
    try {
      if (/\.key(\.pem)?$/.test(base)) {
        readKey(data, passphrase);
        if (statSync(p).mode & 0o077) problems.push(`${name}: key readable by others`);
      } else if (/\.(crt|pem)$/.test(base)) readCerts(data);
      else if (/\/serial$/.test(base)) {
        if (!/^\d+\s*$/.test(data.toString())) throw new Error('not a number');
      }
    } catch (e) {
      problems.push(`${name}: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
  return { problems, files };
}

export interface CaState {
  /** Private key PEM as stored (may be encrypted). */
  key: string | undefined;
  cert: X509Certificate | undefined;
  /** Key material of every backup of the key (`<key>.<date>~`). */
  keyBackups: string[];
}

/** One CA of an OSA-layout pki_dir as it is on disk. */
export function caState(pkiDir: string, name: string): CaState {
  const priv = join(pkiDir, 'roots', name, 'private');
  const keyFile = join(priv, `${name}.key.pem`);
  const certFile = join(pkiDir, 'roots', name, 'certs', `${name}.crt`);
  const backups = existsSync(priv)
    ? readdirSync(priv)
        .filter((f) => f.startsWith(`${name}.key.pem.`) && BACKUP.test(f))
        .map((f) => readFileSync(join(priv, f), 'utf8'))
    : [];
  return {
    key: existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : undefined,
    cert: existsSync(certFile) ? readCerts(readFileSync(certFile))[0] : undefined,
    keyBackups: backups,
  };
}

/** The public half of a PEM private key, as DER hex: compares keys whatever their encryption. */
export function publicKeyId(pem: string, passphrase?: string): string {
  return createPublicKey(readKey(pem, passphrase)).export({ type: 'spki', format: 'der' }).toString('hex');
}
