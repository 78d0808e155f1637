/**
 * OSA's `haproxy_service_configs` (the subset that matters for TLS) as frontends with their bind
 * lines, backends with their servers, and the list of TLS endpoints to verify afterwards.
 * One frontend per service, one bind line per VIP (OSA renders one frontend per VIP; the effect
 * on the wire is the same).
 */
import { OvnctlError } from '../../errors.js';
import { truthy } from '../pki/common.js';
import type { Vip } from './haproxy-vips.js';

export interface Bind {
  address: string;
  port: number;
  interface: string;
  tls: boolean;
  pem: string;
}

export interface Server {
  name: string;
  address: string;
  port: number;
}

export interface Frontend {
  name: string;
  mode: 'http' | 'tcp';
  binds: Bind[];
  backend_only: boolean;
  balance: string;
  backend_options: string[];
  servers: Server[];
  check: boolean;
  frontend_raw: string[];
  backend_arguments: string[];
}

export interface VerifyTarget {
  label: string;
  address: string;
  port: number;
  names: string[];
  cert_file: string;
  ca_file: string;
}

type Dict = Record<string, unknown>;

function asDict(v: unknown, what: string): Dict {
  if (v && typeof v === 'object' && !Array.isArray(v)) return v as Dict;
  throw new OvnctlError('invalid-input', `${what} must be a mapping`);
}

function port(v: unknown, what: string): number {
  const n = typeof v === 'number' ? v : Number(String(v ?? '').trim());
  if (!Number.isInteger(n) || n < 1 || n > 65535)
    throw new OvnctlError('invalid-input', `${what} must be a port number, got ${JSON.stringify(v)}`);
  return n;
}

function strings(v: unknown): string[] {
  if (v === undefined || v === null || v === '') return [];
  return (Array.isArray(v) ? v : [v]).map((x) => String(x));
}

function servers(nodes: unknown, backendPort: number, hostvars: Dict | undefined, what: string): Server[] {
  return (Array.isArray(nodes) ? nodes : strings(nodes)).map((n, i) => {
    if (typeof n === 'string') {
      const hv = hostvars?.[n] as Dict | undefined;
      const address = String(hv?.management_address ?? hv?.ansible_host ?? n);
      return { name: n, address, port: backendPort };
    }
    const d = asDict(n, `${what}.haproxy_backend_nodes[${i}]`);
    const address = String(d.ip_addr ?? d.address ?? '');
    if (!address) throw new OvnctlError('invalid-input', `${what}.haproxy_backend_nodes[${i}] needs ip_addr`);
    return {
      name: String(d.name ?? address),
      address,
      port: d.port === undefined ? backendPort : port(d.port, `${what} backend port`),
    };
  });
}

export function buildFrontends(
  configs: unknown,
  vips: readonly Vip[],
  defaultSsl: boolean,
  hostvars: Dict | undefined,
): Frontend[] {
  if (configs === undefined || configs === null || configs === '') return [];
  if (!Array.isArray(configs))
    throw new OvnctlError('invalid-input', 'haproxy_service_configs must be a list');
  const names = new Set<string>();
  return configs.map((item, i) => {
    const outer = asDict(item, `haproxy_service_configs[${i}]`);
    const s = asDict(outer.service ?? outer, `haproxy_service_configs[${i}].service`);
    const name = String(s.haproxy_service_name ?? '');
    const what = `haproxy service ${name || `#${i + 1}`}`;
    if (!/^[A-Za-z0-9_.:-]+$/.test(name))
      throw new OvnctlError(
        'invalid-input',
        `${what}: haproxy_service_name is required (letters, digits, _.:-)`,
      );
    if (names.has(name)) throw new OvnctlError('invalid-input', `${what} is defined twice`);
    names.add(name);
    const backendOnly = truthy(s.haproxy_backend_only);
    const frontPort = backendOnly ? 0 : port(s.haproxy_port, `${what}: haproxy_port`);
    const backendPort =
      s.haproxy_backend_port === undefined
        ? frontPort
        : port(s.haproxy_backend_port, `${what}: haproxy_backend_port`);
    const mode = String(s.haproxy_balance_type ?? 'http') as Frontend['mode'];
    if (mode !== 'http' && mode !== 'tcp')
      throw new OvnctlError('invalid-input', `${what}: haproxy_balance_type must be http or tcp`);
    const ssl = s.haproxy_ssl === undefined ? defaultSsl : truthy(s.haproxy_ssl);
    const allVips = truthy(s.haproxy_ssl_all_vips);
    const selected = s.haproxy_bind === undefined ? vips : pickVips(s.haproxy_bind, vips, what);
    return {
      name,
      mode,
      backend_only: backendOnly,
      binds: backendOnly
        ? []
        : selected.map((v) => ({
            address: v.address,
            port: frontPort,
            interface: v.interface,
            tls: ssl && (v.tls || allVips),
            pem: v.files.pem,
          })),
      balance: String(s.haproxy_balance_alg ?? 'leastconn'),
      backend_options: strings(s.haproxy_backend_options),
      servers: servers(s.haproxy_backend_nodes, backendPort || 1, hostvars, what),
      check: s.haproxy_backend_check === undefined ? true : truthy(s.haproxy_backend_check),
      frontend_raw: strings(s.haproxy_frontend_raw),
      backend_arguments: strings(s.haproxy_backend_arguments),
    };
  });
}

function pickVips(bind: unknown, vips: readonly Vip[], what: string): Vip[] {
  return strings(
    Array.isArray(bind) ? bind.map((b) => (b && typeof b === 'object' ? (b as Dict).address : b)) : bind,
  ).map((a) => {
    const v = vips.find((x) => x.address === a);
    if (!v)
      throw new OvnctlError(
        'invalid-input',
        `${what}: haproxy_bind ${a} is not in haproxy_vip_binds (it has no certificate)`,
      );
    return v;
  });
}

/** Every TLS bind, once per address and port, with what it must serve. */
export function verifyTargets(frontends: readonly Frontend[], vips: readonly Vip[]): VerifyTarget[] {
  const out = new Map<string, VerifyTarget>();
  for (const fe of frontends) {
    for (const b of fe.binds) {
      if (!b.tls) continue;
      const v = vips.find((x) => x.files.pem === b.pem) as Vip;
      const key = `${v.connect}:${b.port}`;
      if (out.has(key)) continue;
      out.set(key, {
        label: `${fe.name} ${key}`,
        address: v.connect,
        port: b.port,
        names: v.names,
        cert_file: v.expectCert,
        ca_file: v.caFile,
      });
    }
  }
  return [...out.values()];
}
