/** Extension values from OSA's entry fields (basic constraints, usages, SAN), normalised for comparison. */
import { isIP } from 'node:net';
import { OvnctlError } from '../errors.js';

export interface BasicConstraints {
  ca: boolean;
  pathlen?: number;
}

export type SanType = 'dns' | 'ip' | 'uri' | 'email';
export interface SanEntry {
  type: SanType;
  value: string;
}

export const KEY_USAGES = [
  'digitalSignature',
  'nonRepudiation',
  'keyEncipherment',
  'dataEncipherment',
  'keyAgreement',
  'keyCertSign',
  'cRLSign',
  'encipherOnly',
  'decipherOnly',
] as const;
export type KeyUsage = (typeof KEY_USAGES)[number];

const KU_ALIASES: Record<string, KeyUsage> = {
  contentcommitment: 'nonRepudiation',
  certificatesign: 'keyCertSign',
  certsign: 'keyCertSign',
  crlsign: 'cRLSign',
};
for (const k of KEY_USAGES) KU_ALIASES[k.toLowerCase()] = k;

export const EKU_OIDS: Record<string, string> = {
  serverAuth: '1.3.6.1.5.5.7.3.1',
  clientAuth: '1.3.6.1.5.5.7.3.2',
  codeSigning: '1.3.6.1.5.5.7.3.3',
  emailProtection: '1.3.6.1.5.5.7.3.4',
  ipsecEndSystem: '1.3.6.1.5.5.7.3.5',
  ipsecTunnel: '1.3.6.1.5.5.7.3.6',
  ipsecUser: '1.3.6.1.5.5.7.3.7',
  timeStamping: '1.3.6.1.5.5.7.3.8',
  OCSPSigning: '1.3.6.1.5.5.7.3.9',
  ipsecIKE: '1.3.6.1.5.5.7.3.17',
  anyExtendedKeyUsage: '2.5.29.37.0',
};
const EKU_ALIASES: Record<string, string> = {
  tlswebserverauthentication: EKU_OIDS.serverAuth as string,
  tlswebclientauthentication: EKU_OIDS.clientAuth as string,
  emailprotection: EKU_OIDS.emailProtection as string,
  anyextendedkeyusage: EKU_OIDS.anyExtendedKeyUsage as string,
};
for (const [k, v] of Object.entries(EKU_OIDS)) EKU_ALIASES[k.toLowerCase()] = v;

function squash(s: string): string {
  return s.toLowerCase().replace(/[\s_-]/g, '');
}

/** A YAML list, or OSA's comma-separated string form. */
function listOf(value: unknown, where: string): string[] {
  if (value === undefined || value === null || value === '') return [];
  if (typeof value === 'string') {
    return value
      .split(',')
      .map((s) => s.trim())
      .filter(Boolean);
  }
  if (Array.isArray(value)) return value.map((v) => String(v).trim()).filter(Boolean);
  throw new OvnctlError('invalid-input', `${where}: expected a list or a comma-separated string`);
}

export function parseKeyUsage(value: unknown, where: string): KeyUsage[] | undefined {
  if (value === undefined || value === null) return undefined;
  const out = new Set<KeyUsage>();
  for (const name of listOf(value, where)) {
    const ku = KU_ALIASES[squash(name)];
    if (!ku) throw new OvnctlError('invalid-input', `${where}: unknown key usage "${name}"`);
    out.add(ku);
  }
  return KEY_USAGES.filter((k) => out.has(k));
}

/** Extended key usages as OIDs (names like serverAuth or dotted OIDs accepted). */
export function parseExtendedKeyUsage(value: unknown, where: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const out = new Set<string>();
  for (const name of listOf(value, where)) {
    const oid = /^\d+(\.\d+)+$/.test(name) ? name : EKU_ALIASES[squash(name)];
    if (!oid) throw new OvnctlError('invalid-input', `${where}: unknown extended key usage "${name}"`);
    out.add(oid);
  }
  return [...out].sort();
}

export function ekuName(oid: string): string {
  return Object.entries(EKU_OIDS).find(([, v]) => v === oid)?.[0] ?? oid;
}

/** "CA:TRUE,pathlen:0" or ["CA:TRUE", "pathlen:0"]. */
export function parseBasicConstraints(value: unknown, where: string): BasicConstraints | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const bc: BasicConstraints = { ca: false };
  for (const part of listOf(value, where)) {
    const [k, v] = part.split(':').map((s) => s.trim());
    const lk = (k ?? '').toLowerCase();
    if (lk === 'ca' && v !== undefined && /^(true|false)$/i.test(v)) bc.ca = v.toLowerCase() === 'true';
    else if (lk === 'pathlen' && v !== undefined && /^\d+$/.test(v)) bc.pathlen = Number(v);
    else throw new OvnctlError('invalid-input', `${where}: cannot read basic constraint "${part}"`);
  }
  if (bc.pathlen !== undefined && !bc.ca) {
    throw new OvnctlError('invalid-input', `${where}: pathlen is only allowed with CA:TRUE`);
  }
  return bc;
}

export function formatBasicConstraints(bc: BasicConstraints | undefined): string {
  if (!bc) return 'none';
  return `CA:${bc.ca ? 'TRUE' : 'FALSE'}${bc.pathlen === undefined ? '' : `,pathlen:${bc.pathlen}`}`;
}

/** 16 bytes for IPv6, 4 for IPv4; the canonical form used to compare addresses. */
export function ipBytes(ip: string): Buffer {
  if (isIP(ip) === 4) return Buffer.from(ip.split('.').map(Number));
  if (isIP(ip) !== 6) throw new OvnctlError('invalid-input', `"${ip}" is not an IP address`);
  let s = ip;
  const v4 = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (v4) {
    const b = ipBytes(v4[1] as string);
    s = `${s.slice(0, -(v4[1] as string).length)}${b.readUInt16BE(0).toString(16)}:${b.readUInt16BE(2).toString(16)}`;
  }
  const [head, tail] = s.includes('::') ? s.split('::') : [s, undefined];
  const h = head ? (head as string).split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => {
    out.writeUInt16BE(Number.parseInt(g, 16), i * 2);
  });
  return out;
}

export function ipText(bytes: Buffer): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(bytes.readUInt16BE(i).toString(16));
  return groups.join(':').replace(/(^|:)0(:0)+(:|$)/, '::');
}

/** Labels of letters, digits, `-` and `_` (seen in internal names), up to 63 each; `*` only as the first. */
const DNS_NAME = /^(\*|[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/;

function normalise(type: SanType, value: string, where: string): SanEntry {
  const v = value.trim();
  if (!v) throw new OvnctlError('invalid-input', `${where}: empty ${type} SAN`);
  if (type === 'ip') {
    if (!isIP(v)) throw new OvnctlError('invalid-input', `${where}: IP SAN "${v}" is not an IP address`);
    return { type, value: ipText(ipBytes(v)) };
  }
  if (type === 'dns') {
    const name = v.toLowerCase().replace(/\.$/, '');
    if (name.length > 253 || !DNS_NAME.test(name)) {
      throw new OvnctlError(
        'invalid-input',
        `${where}: DNS SAN "${v}" is not a DNS name (letters, digits, '-' and dots; '*' only as the first label)`,
        { hint: 'put IP addresses under ip:, not dns:' },
      );
    }
    return { type, value: name };
  }
  return { type, value: v };
}

const SAN_PREFIX: Record<string, SanType> = { dns: 'dns', ip: 'ip', uri: 'uri', email: 'email' };

/**
 * OSA's `san`: a dict `{dns: [..], ip: [..], uri: [..], email: [..]}` or the
 * legacy string `"DNS:a,IP:b"` (or a list of such items). Duplicates are dropped.
 */
export function parseSan(value: unknown, where: string): SanEntry[] | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const out: SanEntry[] = [];
  const seen = new Set<string>();
  const add = (e: SanEntry) => {
    const k = `${e.type}:${e.value}`;
    if (!seen.has(k)) {
      seen.add(k);
      out.push(e);
    }
  };
  if (typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, list] of Object.entries(value as Record<string, unknown>)) {
      const items = list === null || list === undefined ? [] : Array.isArray(list) ? list : [list];
      const type = SAN_PREFIX[k.toLowerCase()];
      if (!type) {
        if (items.length === 0) continue;
        throw new OvnctlError(
          'invalid-input',
          `${where}: SAN type "${k}" is not supported (use dns, ip, uri, email)`,
        );
      }
      for (const item of items) add(normalise(type, String(item), where));
    }
    return out;
  }
  for (const item of listOf(value, where)) {
    const i = item.indexOf(':');
    const prefix = i < 0 ? '' : item.slice(0, i).trim().toLowerCase();
    const type = prefix === 'ip address' ? 'ip' : SAN_PREFIX[prefix];
    if (!type)
      throw new OvnctlError(
        'invalid-input',
        `${where}: cannot read SAN "${item}" (expected DNS:, IP:, URI: or email:)`,
      );
    add(normalise(type, item.slice(i + 1), where));
  }
  return out;
}

function sanKey(e: SanEntry): string {
  return `${e.type}:${e.value}`;
}

/** Human difference of two SAN sets, e.g. "+DNS:b, -IP:10.0.0.1"; empty when equal. */
export function sanDifference(want: readonly SanEntry[], have: readonly SanEntry[]): string {
  const w = new Set(want.map(sanKey));
  const h = new Set(have.map(sanKey));
  const label = (k: string) => {
    const [t, ...rest] = k.split(':');
    return `${t === 'email' ? 'email' : (t ?? '').toUpperCase()}:${rest.join(':')}`;
  };
  const plus = [...w].filter((k) => !h.has(k)).map((k) => `+${label(k)}`);
  const minus = [...h].filter((k) => !w.has(k)).map((k) => `-${label(k)}`);
  return [...plus, ...minus].join(', ');
}
