import { createHash, createHmac } from 'node:crypto';

/** One usable line of a known_hosts file. */
export interface KnownHostEntry {
  file: string;
  line: number;
  marker: 'revoked' | 'cert-authority' | null;
  /** The host field as written: comma-separated patterns, or one `|1|salt|hash`. */
  hosts: string;
  keyType: string;
  /** The public key blob (SSH wire format), compared byte for byte. */
  key: Buffer;
}

/** Parses known_hosts text; comments, blank and malformed lines are skipped. */
export function parseKnownHosts(text: string, file: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry['marker'] = null;
    if (fields[0]?.startsWith('@')) {
      const name = fields.shift();
      if (name === '@revoked') marker = 'revoked';
      else if (name === '@cert-authority') marker = 'cert-authority';
      else return;
    }
    const [hosts, keyType, keyText] = fields;
    if (!hosts || !keyType || !keyText || !/^[A-Za-z0-9+/]+=*$/.test(keyText)) return;
    const key = Buffer.from(keyText, 'base64');
    if (blobKeyType(key) !== keyType) return;
    entries.push({ file, line: index + 1, marker, hosts, keyType, key });
  });
  return entries;
}

/** The key type named inside a public key blob (its first SSH string), or null. */
export function blobKeyType(blob: Buffer): string | null {
  if (blob.length < 4) return null;
  const n = blob.readUInt32BE(0);
  if (n === 0 || n > 64 || 4 + n > blob.length) return null;
  return blob.subarray(4, 4 + n).toString('latin1');
}

/** OpenSSH's fingerprint form: `SHA256:` + unpadded base64 of the blob's SHA-256. */
export function fingerprint(blob: Buffer): string {
  return `SHA256:${createHash('sha256').update(blob).digest('base64').replace(/=+$/, '')}`;
}

/** The name a host is recorded under: `host` on port 22, `[host]:port` otherwise (lower-case). */
export function knownHostsName(address: string, port: number): string {
  const host = address.toLowerCase();
  return port === 22 ? host : `[${host}]:${port}`;
}

function globToRegExp(pattern: string): RegExp {
  const body = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${body}$`, 'i');
}

const globs = new Map<string, RegExp>();

/** Most patterns are plain names or addresses: compared directly, no expression built per connection. */
function globMatches(glob: string, name: string): boolean {
  if (!/[*?]/.test(glob)) return glob.toLowerCase() === name.toLowerCase();
  let re = globs.get(glob);
  if (!re) {
    re = globToRegExp(glob);
    globs.set(glob, re);
  }
  return re.test(name);
}

function hashedMatches(field: string, name: string): boolean {
  const [, , salt, hash] = field.split('|');
  if (!salt || !hash) return false;
  const digest = createHmac('sha1', Buffer.from(salt, 'base64')).update(name).digest('base64');
  return digest === hash;
}

/**
 * Whether an entry's host field names `name` (already in `knownHostsName` form). A matching
 * negated pattern (`!pat`) rejects the entry outright, as in OpenSSH.
 */
export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) return hashedMatches(hosts, name);
  let matched = false;
  for (const pattern of hosts.split(',')) {
    if (pattern === '') continue;
    const negated = pattern.startsWith('!');
    const glob = negated ? pattern.slice(1) : pattern;
    if (!globMatches(glob, name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

export type HostKeyVerdict =
  | { kind: 'known'; entry: KnownHostEntry }
  | { kind: 'unknown' }
  | { kind: 'changed'; known: KnownHostEntry[] }
  | { kind: 'revoked'; entry: KnownHostEntry };

/**
 * What the known_hosts entries say about `key` presented by `address:port`. A host with known
 * keys but none equal to the presented one is "changed", also when the known keys are of
 * another type: the connection asks for the known types first (see preferredHostKeyAlgorithms),
 * so a different type means the server no longer offers the key on record.
 */
export function judgeHostKey(
  entries: readonly KnownHostEntry[],
  address: string,
  port: number,
  key: Buffer,
): HostKeyVerdict {
  const name = knownHostsName(address, port);
  const forHost = entries.filter((e) => e.marker !== 'cert-authority' && hostFieldMatches(e.hosts, name));
  const revoked = entries.find(
    (e) => e.marker === 'revoked' && e.key.equals(key) && hostFieldMatches(e.hosts, name),
  );
  if (revoked) return { kind: 'revoked', entry: revoked };
  const plain = forHost.filter((e) => e.marker === null);
  const same = plain.find((e) => e.key.equals(key));
  if (same) return { kind: 'known', entry: same };
  if (plain.length > 0) return { kind: 'changed', known: plain };
  return { kind: 'unknown' };
}

const ALGORITHMS_FOR_KEY_TYPE: Record<string, string[]> = {
  'ssh-ed25519': ['ssh-ed25519'],
  'ecdsa-sha2-nistp256': ['ecdsa-sha2-nistp256'],
  'ecdsa-sha2-nistp384': ['ecdsa-sha2-nistp384'],
  'ecdsa-sha2-nistp521': ['ecdsa-sha2-nistp521'],
  'ssh-rsa': ['rsa-sha2-512', 'rsa-sha2-256', 'ssh-rsa'],
};

/** Host key algorithms to ask for first, so the server presents a key type already on record. */
export function preferredHostKeyAlgorithms(
  entries: readonly KnownHostEntry[],
  address: string,
  port: number,
): string[] {
  const name = knownHostsName(address, port);
  const out: string[] = [];
  for (const e of entries) {
    if (e.marker !== null || !hostFieldMatches(e.hosts, name)) continue;
    for (const algo of ALGORITHMS_FOR_KEY_TYPE[e.keyType] ?? []) if (!out.includes(algo)) out.push(algo);
  }
  return out;
}

/** The line accept-new appends for a newly seen key. */
export function knownHostsLine(address: string, port: number, key: Buffer): string {
  return `${knownHostsName(address, port)} ${blobKeyType(key) ?? 'unknown'} ${key.toString('base64')}`;
}
