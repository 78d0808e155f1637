/**
 * haproxy's TLS VIPs the OSA way: one certificate per VIP named `haproxy_<hostname>-<vip>` (plus
 * `-<interface>` when the VIP is bound to one), CN the hostname, SANs hostname, FQDN, the VIP and
 * the VIP's `pki_san_records`; files `<cert_path>/<name>.crt|.key|-ca.crt` and the `.pem` bundle.
 * Unlike OSA, SANs do not accumulate from one VIP to the next, and user-provided material can be
 * given per VIP as well as globally.
 */
import { isIP } from 'node:net';
import path from 'node:path';
import { OvnctlError } from '../../errors.js';

export interface UserMaterial {
  cert: string;
  key: string;
  ca: string;
}

export interface VipInput {
  address: string;
  interface?: string;
  type?: string;
  pki_san_records?: string[];
  user_ssl_cert?: string;
  user_ssl_key?: string;
  user_ssl_ca_cert?: string;
}

export interface Vip {
  address: string;
  interface: string;
  type: string;
  /** Certificate base name (OSA's). */
  name: string;
  /** Serves TLS for services that do not say otherwise (first VIP, extra TLS VIPs, or all with ssl_all_vips). */
  tls: boolean;
  /** Where a client connects to check it (the host's address for wildcard binds). */
  connect: string;
  /** Names the served certificate must cover. */
  names: string[];
  san: { dns: string[]; ip: string[] };
  user: boolean;
  files: { crt: string; key: string; ca: string; pem: string };
  /** Controller files: what the bundle is made of, what must be served, what it verifies against. */
  sources: string[];
  expectCert: string;
  caFile: string;
}

export interface VipSettings {
  hostname: string;
  fqdn: string;
  hostAddress: string;
  sslAllVips: boolean;
  extraTlsVips: string[];
  /** OSA's external_lb_vip_address / internal_lb_vip_address when they are DNS names. */
  lbNames: { external?: string; internal?: string };
  certPath: string;
  pkiCertsPath: string;
  pkiKeysPath: string;
  user: UserMaterial;
}

const WILDCARDS = new Set(['*', '0.0.0.0', '::', '[::]', '']);

function list(v: unknown, what: string): string[] {
  if (v === undefined || v === null || v === '') return [];
  if (typeof v === 'string') return [v];
  if (Array.isArray(v)) return v.map((x) => String(x));
  throw new OvnctlError('invalid-input', `${what} must be a list of names or addresses`);
}

function pushUnique(into: string[], value: string): void {
  if (value && !into.includes(value)) into.push(value);
}

export function readVipInputs(v: unknown): VipInput[] {
  if (!Array.isArray(v)) throw new OvnctlError('invalid-input', 'haproxy_vip_binds must be a list');
  return v.map((item, i) => {
    if (typeof item === 'string') return { address: item };
    if (item && typeof item === 'object' && 'address' in item) {
      const e = item as Record<string, unknown>;
      return { ...(e as unknown as VipInput), address: String(e.address ?? '') };
    }
    throw new OvnctlError('invalid-input', `haproxy_vip_binds[${i}] needs an address`);
  });
}

function userMaterial(input: VipInput, global: UserMaterial, name: string): UserMaterial | undefined {
  const own = {
    cert: input.user_ssl_cert ?? '',
    key: input.user_ssl_key ?? '',
    ca: input.user_ssl_ca_cert ?? '',
  };
  const chosen = own.cert || own.key ? own : global;
  if (!chosen.cert && !chosen.key) return undefined;
  if (!chosen.cert || !chosen.key) {
    throw new OvnctlError(
      'invalid-input',
      `${name}: a user-provided certificate needs both its certificate and its key`,
    );
  }
  return chosen;
}

export function buildVips(inputs: readonly VipInput[], s: VipSettings): Vip[] {
  const seen = new Set<string>();
  return inputs.map((input, i) => {
    const address = input.address.trim();
    const iface = String(input.interface ?? '').trim();
    const name = `haproxy_${s.hostname}-${iface ? `${address}-${iface}` : address}`;
    if (seen.has(name)) throw new OvnctlError('invalid-input', `haproxy_vip_binds: ${name} is bound twice`);
    seen.add(name);
    const wildcard = WILDCARDS.has(address);
    const san = { dns: [] as string[], ip: [] as string[] };
    pushUnique(san.dns, s.hostname);
    pushUnique(san.dns, s.fqdn);
    const add = (x: string) =>
      pushUnique(isIP(x.replace(/^\[|\]$/g, '')) ? san.ip : san.dns, x.replace(/^\[|\]$/g, ''));
    if (!wildcard) add(address);
    const type = String(input.type ?? (i === 0 ? 'external' : 'internal'));
    const lbName =
      type === 'external' ? s.lbNames.external : type === 'internal' ? s.lbNames.internal : undefined;
    if (lbName && !isIP(lbName)) add(lbName);
    for (const r of list(input.pki_san_records, `${name}: pki_san_records`)) add(r);
    const files = {
      crt: path.join(s.certPath, `${name}.crt`),
      key: path.join(s.certPath, `${name}.key`),
      ca: path.join(s.certPath, `${name}-ca.crt`),
      pem: path.join(s.certPath, `${name}.pem`),
    };
    const user = userMaterial(input, s.user, name);
    const generated = {
      cert: path.join(s.pkiCertsPath, `${name}.crt`),
      ca: path.join(s.pkiCertsPath, `${name}-ca_bundle.crt`),
      key: path.join(s.pkiKeysPath, `${name}.key.pem`),
    };
    const names = wildcard ? [s.hostname] : [address.replace(/^\[|\]$/g, ''), s.hostname];
    return {
      address,
      interface: iface,
      type,
      name,
      tls: i === 0 || s.sslAllVips || s.extraTlsVips.includes(address),
      connect: wildcard ? s.hostAddress : address.replace(/^\[|\]$/g, ''),
      names: [...new Set(names)],
      san,
      user: user !== undefined,
      files,
      sources: user
        ? [user.cert, ...(user.ca ? [user.ca] : []), user.key]
        : [generated.cert, generated.ca, generated.key],
      expectCert: user ? user.cert : generated.cert,
      // Without a CA for a user certificate, the certificate itself is the anchor: "serves exactly this".
      caFile: user ? user.ca || user.cert : generated.ca,
    };
  });
}

/** pki_certificates entries for the VIPs whose certificate ovnctl issues. */
export function certificateEntries(
  vips: readonly Vip[],
  hostname: string,
  signedBy: string,
): Record<string, unknown>[] {
  return vips
    .filter((v) => !v.user)
    .map((v) => ({ name: v.name, provider: 'ownca', cn: hostname, san: v.san, signed_by: signedBy }));
}

/** pki_install entries: `.crt`, `.key` and `-ca.crt` per VIP (OSA installs -ca.crt for user material only when given). */
export function installEntries(vips: readonly Vip[]): Record<string, unknown>[] {
  return vips.flatMap((v) => {
    if (!v.user) {
      return [
        { name: v.name, type: 'certificate', dest: v.files.crt },
        { name: v.name, type: 'private_key', dest: v.files.key },
        { name: v.name, type: 'ca_bundle', dest: v.files.ca },
      ];
    }
    const [cert, ...rest] = v.sources;
    const key = rest[rest.length - 1];
    const ca = rest.length > 1 ? rest[0] : undefined;
    return [
      { name: v.name, src: cert, type: 'certificate', dest: v.files.crt },
      { name: v.name, src: key, type: 'private_key', dest: v.files.key },
      ...(ca ? [{ name: v.name, src: ca, type: 'ca_bundle', dest: v.files.ca }] : []),
    ];
  });
}
