/**
 * `haproxy_tls_layout`: works out, from OSA's haproxy variables, everything the haproxy_server
 * role does with TLS: the VIPs and their certificates (pki_certificates entries), the files to
 * install (pki_install entries), the `.pem` bundles, the frontends to render and the endpoints to
 * verify. A fact-only module (like set_fact): no steps, nothing on the host changes.
 */
import { OvnctlError } from '../../errors.js';
import { optString, truthy } from '../pki/common.js';
import { defineModule, type Plan } from '../types.js';
import { buildFrontends, verifyTargets } from './haproxy-frontends.js';
import { buildVips, certificateEntries, installEntries, readVipInputs } from './haproxy-vips.js';

export interface HaproxyTlsLayoutParams {
  hostname: string;
  fqdn?: string;
  host_address?: string;
  vip_binds: unknown[];
  ssl?: boolean | string;
  ssl_all_vips?: boolean | string;
  extra_tls_vip_addresses?: string[];
  external_lb_vip_address?: string;
  internal_lb_vip_address?: string;
  cert_path: string;
  pki_certs_path: string;
  pki_keys_path: string;
  signed_by: string;
  user_ssl_cert?: string;
  user_ssl_key?: string;
  user_ssl_ca_cert?: string;
  services?: unknown;
  /** Name of the fact that receives the layout (default `_haproxy_tls`). */
  fact?: string;
}

export const haproxyTlsLayoutModule = defineModule<HaproxyTlsLayoutParams>({
  name: 'haproxy_tls_layout',
  schema: 'haproxy_tls_layout',
  plan: async (p, ctx): Promise<Plan> => {
    const fact = p.fact ?? '_haproxy_tls';
    const ssl = p.ssl === undefined ? true : truthy(p.ssl);
    const hostname = p.hostname.trim();
    if (!hostname) throw new OvnctlError('invalid-input', 'haproxy_tls_layout: hostname is empty');
    const user = { cert: p.user_ssl_cert ?? '', key: p.user_ssl_key ?? '', ca: p.user_ssl_ca_cert ?? '' };
    const lbNames: { external?: string; internal?: string } = {};
    const ext = optString(p.external_lb_vip_address);
    const int = optString(p.internal_lb_vip_address);
    if (ext) lbNames.external = ext;
    if (int) lbNames.internal = int;
    const extraTls = (p.extra_tls_vip_addresses ?? []).map(String);
    // OSA appends extra_lb_tls_vip_addresses to the VIPs: they get a certificate and serve TLS.
    const inputs = readVipInputs(p.vip_binds);
    for (const a of extraTls)
      if (!inputs.some((v) => v.address === a)) inputs.push({ address: a, type: 'external' });
    const vips = ssl
      ? buildVips(inputs, {
          hostname,
          fqdn: optString(p.fqdn) ?? hostname,
          hostAddress: optString(p.host_address) ?? hostname,
          sslAllVips: truthy(p.ssl_all_vips),
          extraTlsVips: extraTls,
          lbNames,
          certPath: p.cert_path,
          pkiCertsPath: p.pki_certs_path,
          pkiKeysPath: p.pki_keys_path,
          user,
        })
      : [];
    const hostvars = ctx.vars.hostvars as Record<string, unknown> | undefined;
    const frontends = buildFrontends(p.services, vips, ssl, hostvars);
    const layout = {
      vips: vips.map((v) => ({
        name: v.name,
        address: v.address,
        interface: v.interface,
        type: v.type,
        tls: v.tls,
        user: v.user,
        san: v.san,
        pem: v.files.pem,
      })),
      pki_certificates: certificateEntries(vips, hostname, p.signed_by),
      pki_install: installEntries(vips),
      bundles: vips.map((v) => ({ dest: v.files.pem, sources: v.sources })),
      frontends,
      verify: verifyTargets(frontends, vips),
    };
    return { steps: [], facts: { [fact]: layout }, result: { [fact]: layout } };
  },
});
