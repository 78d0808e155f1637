/** Distinguished names from OSA's entry fields, and their comparison. */
import { OvnctlError } from '../errors.js';

export interface SubjectAttr {
  oid: string;
  value: string;
}

/** OSA's subject keys on authority and certificate entries. */
export interface SubjectFields {
  cn?: string;
  common_name?: string;
  country_name?: string;
  state_or_province_name?: string;
  locality_name?: string;
  organization_name?: string;
  organizational_unit_name?: string;
  /** OSA's role reads this misspelt key for the OU; accepted as an alias. */
  organization_unit_name?: string;
  email_address?: string;
  /** Extra attributes: `{O: x}` or `[{CN: a}, {OU: b}]` (community.crypto style). */
  subject?: unknown;
}

export const OID = {
  C: '2.5.4.6',
  ST: '2.5.4.8',
  L: '2.5.4.7',
  O: '2.5.4.10',
  OU: '2.5.4.11',
  CN: '2.5.4.3',
  emailAddress: '1.2.840.113549.1.9.1',
} as const;

const NAMES: Record<string, string> = {
  c: OID.C,
  countryname: OID.C,
  st: OID.ST,
  stateorprovincename: OID.ST,
  l: OID.L,
  localityname: OID.L,
  o: OID.O,
  organizationname: OID.O,
  ou: OID.OU,
  organizationalunitname: OID.OU,
  cn: OID.CN,
  commonname: OID.CN,
  emailaddress: OID.emailAddress,
  email: OID.emailAddress,
  serialnumber: '2.5.4.5',
  street: '2.5.4.9',
  streetaddress: '2.5.4.9',
  title: '2.5.4.12',
  sn: '2.5.4.4',
  surname: '2.5.4.4',
  gn: '2.5.4.42',
  givenname: '2.5.4.42',
  postalcode: '2.5.4.17',
  dc: '0.9.2342.19200300.100.1.25',
  domaincomponent: '0.9.2342.19200300.100.1.25',
  uid: '0.9.2342.19200300.100.1.1',
  userid: '0.9.2342.19200300.100.1.1',
};

const SHORT: Record<string, string> = {
  [OID.C]: 'C',
  [OID.ST]: 'ST',
  [OID.L]: 'L',
  [OID.O]: 'O',
  [OID.OU]: 'OU',
  [OID.CN]: 'CN',
  [OID.emailAddress]: 'emailAddress',
  '2.5.4.5': 'serialNumber',
  '2.5.4.9': 'street',
  '2.5.4.12': 'title',
  '2.5.4.4': 'SN',
  '2.5.4.42': 'GN',
  '2.5.4.17': 'postalCode',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
};

function oidOf(name: string, where: string): string {
  if (/^\d+(\.\d+)+$/.test(name)) return name;
  const oid = NAMES[name.toLowerCase().replace(/[\s_-]/g, '')];
  if (!oid) throw new OvnctlError('invalid-input', `${where}: unknown subject attribute "${name}"`);
  return oid;
}

function text(v: unknown): string | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  return String(v);
}

function extraAttrs(subject: unknown, where: string): SubjectAttr[] {
  if (subject === undefined || subject === null || subject === '') return [];
  const out: SubjectAttr[] = [];
  const add = (k: string, v: unknown) => {
    for (const one of Array.isArray(v) ? v : [v]) {
      const s = text(one);
      if (s !== undefined) out.push({ oid: oidOf(k, where), value: s });
    }
  };
  const items = Array.isArray(subject) ? subject : [subject];
  for (const item of items) {
    if (typeof item !== 'object' || item === null) {
      throw new OvnctlError('invalid-input', `${where}: subject must be a mapping or a list of mappings`);
    }
    for (const [k, v] of Object.entries(item)) add(k, v);
  }
  return out;
}

/**
 * The subject a new certificate gets. CN is placed after O/OU so that it is the
 * last RDN in DN order, which ovs-monitor-ipsec's `CN=(.+?),` parser needs.
 */
export function subjectFromFields(f: SubjectFields, where: string): SubjectAttr[] {
  const attrs: SubjectAttr[] = [];
  const push = (oid: string, v: unknown) => {
    const s = text(v);
    if (s !== undefined) attrs.push({ oid, value: s });
  };
  push(OID.C, f.country_name);
  push(OID.ST, f.state_or_province_name);
  push(OID.L, f.locality_name);
  push(OID.O, f.organization_name);
  push(OID.OU, f.organizational_unit_name ?? f.organization_unit_name);
  attrs.push(...extraAttrs(f.subject, where));
  push(OID.CN, f.cn ?? f.common_name);
  push(OID.emailAddress, f.email_address);
  if (attrs.length === 0) throw new OvnctlError('invalid-input', `${where}: no subject (set cn)`);
  const c = attrs.find((a) => a.oid === OID.C);
  if (c && !/^[A-Za-z]{2}$/.test(c.value)) {
    throw new OvnctlError(
      'invalid-input',
      `${where}: country_name must be a two-letter code, got "${c.value}"`,
    );
  }
  return attrs;
}

/**
 * Subjects OSA's pki role actually produced for these fields: its CA task reads
 * `orgnization_name`/`organization_unit_name` (typos) and never passes the
 * e-mail address; its certificate task misses OU and e-mail the same way.
 */
export function legacySubject(f: SubjectFields, full: SubjectAttr[], kind: 'ca' | 'leaf'): SubjectAttr[] {
  const drop = new Set<string>([OID.emailAddress]);
  if (f.organization_unit_name === undefined) drop.add(OID.OU);
  if (kind === 'ca') drop.add(OID.O);
  const explicit = new Set(extraAttrs(f.subject, '').map((a) => `${a.oid}=${a.value}`));
  return full.filter((a) => !drop.has(a.oid) || explicit.has(`${a.oid}=${a.value}`));
}

function key(attrs: readonly SubjectAttr[]): string {
  return attrs
    .map((a) => `${a.oid}=${a.value}`)
    .sort()
    .join('\n');
}

/** Same attributes and values, in any order. */
export function sameSubject(a: readonly SubjectAttr[], b: readonly SubjectAttr[]): boolean {
  return key(a) === key(b);
}

export function formatSubject(attrs: readonly SubjectAttr[]): string {
  return attrs.map((a) => `/${SHORT[a.oid] ?? a.oid}=${a.value}`).join('');
}
