import { describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import {
  type HaproxyTlsLayoutParams,
  haproxyTlsLayoutModule,
} from '../../../src/modules/service/haproxy-tls-layout.js';
import { planContext } from './context.js';

const base: HaproxyTlsLayoutParams = {
  hostname: 'infra1',
  fqdn: 'infra1.example.com',
  host_address: '10.0.0.11',
  vip_binds: [
    { address: '203.0.113.10', type: 'external' },
    {
      address: '10.0.0.100',
      interface: 'br-mgmt',
      type: 'internal',
      pki_san_records: ['internal.cloud', '10.9.9.9'],
    },
  ],
  cert_path: '/etc/haproxy/ssl',
  pki_certs_path: '/pki/certs/certs/',
  pki_keys_path: '/pki/certs/private/',
  signed_by: 'ExampleCorpIntermediate',
  services: [
    {
      service: {
        haproxy_service_name: 'keystone_service',
        haproxy_port: 5000,
        haproxy_backend_nodes: ['infra1', { name: 'ks2', ip_addr: '10.0.0.12' }],
      },
    },
    {
      service: {
        haproxy_service_name: 'galera',
        haproxy_port: 3306,
        haproxy_balance_type: 'tcp',
        haproxy_ssl: false,
      },
    },
  ],
};

type Layout = {
  vips: { name: string; tls: boolean; san: { dns: string[]; ip: string[] }; pem: string }[];
  pki_certificates: Record<string, unknown>[];
  pki_install: Record<string, unknown>[];
  bundles: { dest: string; sources: string[] }[];
  frontends: {
    name: string;
    binds: { address: string; tls: boolean; interface: string }[];
    servers: unknown[];
  }[];
  verify: { address: string; port: number; names: string[]; cert_file: string; ca_file: string }[];
};

async function layout(
  p: Partial<HaproxyTlsLayoutParams> = {},
  vars: Record<string, unknown> = {},
): Promise<Layout> {
  const ctx = { ...planContext(), vars };
  const plan = await haproxyTlsLayoutModule.plan({ ...base, ...p }, ctx);
  expect(plan.steps).toEqual([]);
  return plan.facts?._haproxy_tls as Layout;
}

describe('haproxy_tls_layout', () => {
  it('names one certificate per VIP like OSA, with per-VIP SANs (no accumulation across VIPs)', async () => {
    const l = await layout();
    expect(l.vips.map((v) => v.name)).toEqual([
      'haproxy_infra1-203.0.113.10',
      'haproxy_infra1-10.0.0.100-br-mgmt',
    ]);
    expect(l.pki_certificates).toEqual([
      {
        name: 'haproxy_infra1-203.0.113.10',
        provider: 'ownca',
        cn: 'infra1',
        san: { dns: ['infra1', 'infra1.example.com'], ip: ['203.0.113.10'] },
        signed_by: 'ExampleCorpIntermediate',
      },
      {
        name: 'haproxy_infra1-10.0.0.100-br-mgmt',
        provider: 'ownca',
        cn: 'infra1',
        san: { dns: ['infra1', 'infra1.example.com', 'internal.cloud'], ip: ['10.0.0.100', '10.9.9.9'] },
        signed_by: 'ExampleCorpIntermediate',
      },
    ]);
  });

  it('installs .crt, .key and -ca.crt and bundles certificate, CA bundle and key from the PKI store', async () => {
    const l = await layout();
    expect(l.pki_install.slice(0, 3)).toEqual([
      {
        name: 'haproxy_infra1-203.0.113.10',
        type: 'certificate',
        dest: '/etc/haproxy/ssl/haproxy_infra1-203.0.113.10.crt',
      },
      {
        name: 'haproxy_infra1-203.0.113.10',
        type: 'private_key',
        dest: '/etc/haproxy/ssl/haproxy_infra1-203.0.113.10.key',
      },
      {
        name: 'haproxy_infra1-203.0.113.10',
        type: 'ca_bundle',
        dest: '/etc/haproxy/ssl/haproxy_infra1-203.0.113.10-ca.crt',
      },
    ]);
    expect(l.bundles[0]).toEqual({
      dest: '/etc/haproxy/ssl/haproxy_infra1-203.0.113.10.pem',
      sources: [
        '/pki/certs/certs/haproxy_infra1-203.0.113.10.crt',
        '/pki/certs/certs/haproxy_infra1-203.0.113.10-ca_bundle.crt',
        '/pki/certs/private/haproxy_infra1-203.0.113.10.key.pem',
      ],
    });
  });

  it('serves TLS on the first VIP only, unless haproxy_ssl_all_vips; never for a service with haproxy_ssl false', async () => {
    const first = await layout();
    const keystone = first.frontends[0];
    expect(keystone?.binds.map((b) => [b.address, b.tls, b.interface])).toEqual([
      ['203.0.113.10', true, ''],
      ['10.0.0.100', false, 'br-mgmt'],
    ]);
    expect(first.frontends[1]?.binds.every((b) => !b.tls)).toBe(true);
    expect(first.verify).toEqual([
      {
        label: 'keystone_service 203.0.113.10:5000',
        address: '203.0.113.10',
        port: 5000,
        names: ['203.0.113.10', 'infra1'],
        cert_file: '/pki/certs/certs/haproxy_infra1-203.0.113.10.crt',
        ca_file: '/pki/certs/certs/haproxy_infra1-203.0.113.10-ca_bundle.crt',
      },
    ]);
    const all = await layout({ ssl_all_vips: 'yes' });
    expect(all.frontends[0]?.binds.every((b) => b.tls)).toBe(true);
    expect(all.verify.map((v) => v.address)).toEqual(['203.0.113.10', '10.0.0.100']);
  });

  it('finds backend addresses in hostvars (management_address, else ansible_host)', async () => {
    const l = await layout(
      {},
      { hostvars: { infra1: { ansible_host: '10.0.0.11', management_address: '172.29.236.11' } } },
    );
    expect(l.frontends[0]?.servers).toEqual([
      { name: 'infra1', address: '172.29.236.11', port: 5000 },
      { name: 'ks2', address: '10.0.0.12', port: 5000 },
    ]);
  });

  it('uses user-provided material globally and per VIP, and issues nothing for those VIPs', async () => {
    const l = await layout({
      user_ssl_cert: '/user/all.crt',
      user_ssl_key: '/user/all.key',
      vip_binds: [
        { address: '203.0.113.10' },
        {
          address: '10.0.0.100',
          user_ssl_cert: '/user/int.crt',
          user_ssl_key: '/user/int.key',
          user_ssl_ca_cert: '/user/int-ca.crt',
        },
      ],
      ssl_all_vips: true,
    });
    expect(l.pki_certificates).toEqual([]);
    expect(l.bundles.map((b) => b.sources)).toEqual([
      ['/user/all.crt', '/user/all.key'],
      ['/user/int.crt', '/user/int-ca.crt', '/user/int.key'],
    ]);
    expect(l.pki_install.filter((e) => e.type === 'ca_bundle')).toEqual([
      {
        name: 'haproxy_infra1-10.0.0.100',
        src: '/user/int-ca.crt',
        type: 'ca_bundle',
        dest: '/etc/haproxy/ssl/haproxy_infra1-10.0.0.100-ca.crt',
      },
    ]);
    // Without a user CA, the user certificate itself is what the served one must match.
    expect(l.verify.map((v) => [v.cert_file, v.ca_file])).toEqual([
      ['/user/all.crt', '/user/all.crt'],
      ['/user/int.crt', '/user/int-ca.crt'],
    ]);
  });

  it('verifies a wildcard bind through the host address, adds DNS VIP names and extra TLS VIPs', async () => {
    const l = await layout({
      vip_binds: [{ address: '*', type: 'external' }],
      external_lb_vip_address: 'cloud.example.com',
      extra_tls_vip_addresses: ['198.51.100.7'],
    });
    expect(l.vips.map((v) => [v.name, v.tls])).toEqual([
      ['haproxy_infra1-*', true],
      ['haproxy_infra1-198.51.100.7', true],
    ]);
    expect(l.vips[0]?.san).toEqual({ dns: ['infra1', 'infra1.example.com', 'cloud.example.com'], ip: [] });
    expect(l.verify.map((v) => [v.address, v.names])).toEqual([
      ['10.0.0.11', ['infra1']],
      ['198.51.100.7', ['198.51.100.7', 'infra1']],
    ]);
  });

  it('haproxy_ssl false: no certificates, plain binds', async () => {
    const l = await layout({ ssl: 'false' });
    expect(l.pki_certificates).toEqual([]);
    expect(l.bundles).toEqual([]);
    expect(l.verify).toEqual([]);
  });

  it('refuses half a user certificate, duplicate VIPs and services without a name', async () => {
    await expect(layout({ user_ssl_cert: '/user/all.crt' })).rejects.toThrow(
      'needs both its certificate and its key',
    );
    await expect(layout({ vip_binds: ['10.0.0.1', '10.0.0.1'] })).rejects.toThrow('bound twice');
    await expect(layout({ services: [{ service: { haproxy_port: 1 } }] })).rejects.toThrow(OvnctlError);
    await expect(
      layout({
        services: [{ service: { haproxy_service_name: 'x', haproxy_port: 1, haproxy_bind: ['192.0.2.1'] } }],
      }),
    ).rejects.toThrow('haproxy_bind 192.0.2.1 is not in haproxy_vip_binds');
  });
});
