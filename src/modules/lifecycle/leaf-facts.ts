/** One service certificate as installed on a host: files, identity, validity, key, chain, issuer. */
import type { KeyObject } from 'node:crypto';
import { type CertInfo, isIssuedBy, keyMatchesCert, parseCertificates } from '../../pki/inspect.js';
import { loadPrivateKey } from '../../pki/keys.js';
import { formatSubject } from '../../pki/names.js';
import { isPrivateKeyLabel, splitPem } from '../../pki/pem.js';
import { formatDate } from '../../pki/ttl.js';
import { chainProblem } from '../service/tls-checks.js';
import type { Facts } from '../types.js';
import { type CertFact, daysLeft, type FileFact, type IssuerState, statusOf } from './fact-types.js';

export interface LeafFile {
  path: string;
  role: string;
}

/** The CA that signs a service's certificates, as the PKI store holds it now. */
export interface SignerView {
  name: string;
  current: CertInfo | null;
  next: CertInfo | null;
  /** `<CA>-trust.crt` during a rotation (old and new chains). */
  trust: CertInfo[];
}

export interface LeafInput {
  name: string;
  userProvided: boolean;
  files: LeafFile[];
  signer: SignerView | undefined;
  /** The PKI store's copy (generated certificates only). */
  store: CertInfo | null;
}

const CERT_ROLES = ['certificate', 'certificate_chain', 'bundle'];

function readKey(data: Buffer, path: string): KeyObject | null | 'encrypted' {
  const block = splitPem(data.toString('utf8')).find((b) => isPrivateKeyLabel(b.label));
  if (!block) return null;
  try {
    return loadPrivateKey(block.text, path);
  } catch {
    return 'encrypted';
  }
}

function certsOf(data: Buffer | null, path: string): CertInfo[] {
  if (!data) return [];
  try {
    return parseCertificates(data, path);
  } catch {
    return [];
  }
}

function issuerState(leaf: CertInfo, input: LeafInput): IssuerState {
  if (input.userProvided) return 'user';
  const s = input.signer;
  if (!s) return 'other';
  if (s.current && isIssuedBy(leaf, s.current)) return 'current';
  if (s.next && isIssuedBy(leaf, s.next)) return 'next';
  if (s.trust.some((c) => isIssuedBy(leaf, c))) return 'previous';
  return 'other';
}

function issuerProblem(state: IssuerState, ca: string): string | undefined {
  if (state === 'next') return `issued by the next ${ca} a CA rotation staged (not promoted yet)`;
  if (state === 'previous') return `issued by the previous ${ca}: a CA rotation is in progress`;
  if (state === 'other') return `not issued by the current ${ca}`;
  return undefined;
}

/** Reads the files on the target and judges them; the endpoints are added by the caller. */
export async function leafFacts(
  target: Facts,
  input: LeafInput,
  now: Date,
  windowMs: number,
): Promise<{ fact: CertFact; leaf: CertInfo | null }> {
  const problems: string[] = [];
  const files: FileFact[] = [];
  const data = new Map<string, Buffer | null>();
  await Promise.all(
    input.files.map(async (f) => {
      const [st, bytes] = await Promise.all([target.stat(f.path), target.read(f.path)]);
      data.set(f.path, bytes);
      files.push({
        path: f.path,
        role: f.role,
        present: st !== null,
        ...(st ? { mode: st.mode.toString(8).padStart(4, '0') } : {}),
      });
    }),
  );
  files.sort(
    (a, b) =>
      input.files.findIndex((f) => f.path === a.path) - input.files.findIndex((f) => f.path === b.path),
  );
  for (const f of files) if (!f.present) problems.push(`${f.path} is missing`);
  const fact: CertFact = {
    name: input.name,
    kind: 'certificate',
    user_provided: input.userProvided,
    files,
    endpoints: [],
    status: 'ok',
    problems,
  };
  const certFiles = input.files
    .filter((f) => CERT_ROLES.includes(f.role) && data.get(f.path))
    .sort((a, b) => CERT_ROLES.indexOf(a.role) - CERT_ROLES.indexOf(b.role));
  const first = certFiles[0];
  const leafCerts = first ? certsOf(data.get(first.path) ?? null, first.path) : [];
  const leaf = leafCerts[0] ?? null;
  if (first && !leaf) problems.push(`${first.path} holds no readable certificate`);
  if (!leaf) {
    if (problems.length === 0) problems.push('no certificate installed');
    fact.status = 'error';
    return { fact, leaf: null };
  }
  Object.assign(fact, {
    subject: formatSubject(leaf.subject),
    san: (leaf.san ?? []).map((s) => `${s.type.toUpperCase()}:${s.value}`),
    issuer: formatSubject(leaf.issuer),
    serial: leaf.serial,
    not_after: formatDate(leaf.notAfter),
    days_left: daysLeft(leaf.notAfter, now),
  });
  if (leaf.notAfter.getTime() <= now.getTime()) problems.push(`expired on ${formatDate(leaf.notAfter)}`);
  for (const f of certFiles.slice(1)) {
    const other = certsOf(data.get(f.path) ?? null, f.path)[0];
    if (other && !other.der.equals(leaf.der))
      problems.push(`${f.path} holds another certificate (serial ${other.serial}) than ${first?.path}`);
  }
  // The key: the key file, else the key inside a bundle; every key found must match.
  const keyFiles = input.files.filter(
    (f) => (f.role === 'private_key' || f.role === 'bundle') && data.get(f.path),
  );
  let keyMatches: boolean | null = null;
  for (const f of keyFiles) {
    const key = readKey(data.get(f.path) as Buffer, f.path);
    if (key === null) {
      if (f.role === 'private_key') problems.push(`${f.path} holds no private key`);
      continue;
    }
    if (key === 'encrypted') continue;
    const ok = keyMatchesCert(key, leaf);
    if (!ok) problems.push(`the key in ${f.path} does not match the certificate`);
    keyMatches = (keyMatches ?? true) && ok;
  }
  fact.key_matches = keyMatches;
  const caFiles = input.files.filter((f) => f.role === 'ca_bundle' && data.get(f.path));
  const anchors = caFiles.flatMap((f) => certsOf(data.get(f.path) ?? null, f.path));
  if (anchors.length > 0) {
    const extras = certFiles
      .flatMap((f) => certsOf(data.get(f.path) ?? null, f.path))
      .filter((c) => !c.der.equals(leaf.der));
    const why = chainProblem(
      [leaf.x509, ...extras.map((c) => c.x509)],
      anchors.map((c) => c.x509),
      now,
    );
    fact.chain_ok = why === undefined;
    if (why) problems.push(`does not verify against ${caFiles.map((f) => f.path).join(', ')}: ${why}`);
  }
  fact.issued_by = issuerState(leaf, input);
  const wrongIssuer = issuerProblem(fact.issued_by, input.signer?.name ?? 'CA');
  if (wrongIssuer) problems.push(wrongIssuer);
  if (input.store && !input.store.der.equals(leaf.der)) {
    fact.store_serial = input.store.serial;
    problems.push(
      `the PKI store holds another certificate (serial ${input.store.serial}): it is not installed yet`,
    );
  }
  fact.status = statusOf(problems, leaf.notAfter, now, windowMs);
  return { fact, leaf };
}
