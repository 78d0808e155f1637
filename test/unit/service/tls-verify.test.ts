import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OvnctlError } from '../../../src/errors.js';
import { ModuleRegistry } from '../../../src/modules/registry.js';
import { serviceModules } from '../../../src/modules/service/index.js';
import { type TlsVerifyParams, tlsVerifyModule } from '../../../src/modules/service/tls-verify.js';
import { planContext } from './context.js';
import { makePki, type Pki, serve, type TestServer } from './tls-fixtures.js';

let pki: Pki;
const servers: TestServer[] = [];

beforeAll(async () => {
  pki = await makePki();
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await pki.cleanup();
});

async function server(...args: Parameters<typeof serve>): Promise<TestServer> {
  const s = await serve(...args);
  servers.push(s);
  return s;
}

const verify = (p: TlsVerifyParams, opts: Parameters<typeof planContext>[0] = {}) =>
  tlsVerifyModule.plan(p, planContext(opts));

describe('tls_verify against a local node:tls server', () => {
  it('accepts the issued chain, names and serial, and reports what was served', async () => {
    const s = await server(pki.leaf, [pki.intermediate]);
    const plan = await verify({
      address: '127.0.0.1',
      port: s.port,
      ca_file: pki.file('root.crt'),
      expect_names: ['svc1', 'svc1.example.test', '127.0.0.1'],
      expect_cert_file: pki.file('leaf.crt'),
    });
    expect(plan.failed).toBeUndefined();
    expect(plan.steps).toEqual([]);
    expect(plan.result?.serial).toBe(pki.leaf.cert.serial);
    expect(plan.result?.chain).toEqual(['CN=svc1', 'CN=Test Intermediate']);
    expect(plan.result?.san).toContain('IP:127.0.0.1');
  });

  it('accepts an intermediate alone as the trust anchor (partial chain)', async () => {
    const s = await server(pki.leaf, [pki.intermediate]);
    const plan = await verify({ address: '127.0.0.1', port: s.port, ca_pem: pki.intermediate.cert.pem });
    expect(plan.failed).toBeUndefined();
  });

  it('says which issuer is missing when the chain does not lead to the CA', async () => {
    const s = await server(pki.leaf, [pki.intermediate]);
    const plan = await verify({ address: '127.0.0.1', port: s.port, ca_file: pki.file('other-root.crt') });
    expect(plan.failed).toContain(`chain does not verify against ${pki.file('other-root.crt')}`);
    expect(plan.failed).toContain("no issuer of 'CN=Test Intermediate' (issued by 'CN=Test Root')");
  });

  it('fails when the server leaves out its intermediate', async () => {
    const s = await server(pki.leaf, []);
    const plan = await verify({ address: '127.0.0.1', port: s.port, ca_file: pki.file('root.crt') });
    expect(plan.failed).toContain("no issuer of 'CN=svc1' (issued by 'CN=Test Intermediate')");
  });

  it('names every expected name the SANs do not cover, and lists what was served', async () => {
    const s = await server(pki.leaf, [pki.intermediate]);
    const plan = await verify({
      address: '127.0.0.1',
      port: s.port,
      ca_file: pki.file('root.crt'),
      expect_names: 'svc1, svc2,10.1.2.3',
    });
    expect(plan.failed).toBe(
      `127.0.0.1:${s.port}: SAN missing svc2, 10.1.2.3 (served: DNS:svc1, DNS:svc1.example.test, IP:127.0.0.1)`,
    );
  });

  it('applies wildcards to one label only', async () => {
    const s = await server(pki.wildcard, [pki.intermediate]);
    const ok = await verify({
      address: '127.0.0.1',
      port: s.port,
      ca_file: pki.file('root.crt'),
      expect_names: ['api.apps.example.test'],
    });
    expect(ok.failed).toBeUndefined();
    const deep = await verify({
      address: '127.0.0.1',
      port: s.port,
      ca_file: pki.file('root.crt'),
      expect_names: ['a.b.apps.example.test'],
    });
    expect(deep.failed).toContain('SAN missing a.b.apps.example.test');
  });

  it('reports the served and the expected serial when another certificate is served', async () => {
    const s = await server(pki.leaf, [pki.intermediate]);
    const plan = await verify({
      address: '127.0.0.1',
      port: s.port,
      ca_file: pki.file('root.crt'),
      expect_cert_file: pki.file('leaf2.crt'),
    });
    expect(plan.failed).toBe(
      `127.0.0.1:${s.port}: serial ${pki.leaf.cert.serial} served, ${pki.leaf2.cert.serial} expected (${pki.file('leaf2.crt')})`,
    );
    expect(plan.result?.serial).toBe(pki.leaf.cert.serial);
  });

  it('compares expect_serial as openssl prints it (upper case, colons, leading zeros)', async () => {
    const s = await server(pki.leaf, [pki.intermediate]);
    const openssl = `00${pki.leaf.cert.serial.toUpperCase().match(/../g)?.join(':')}`;
    const plan = await verify({
      address: '127.0.0.1',
      port: s.port,
      ca_file: pki.file('root.crt'),
      expect_serial: openssl,
    });
    expect(plan.failed).toBeUndefined();
  });

  it('rejects an expired certificate with its end date', async () => {
    const s = await server(pki.expired, [pki.intermediate]);
    const plan = await verify({ address: '127.0.0.1', port: s.port, ca_file: pki.file('root.crt') });
    expect(plan.failed).toMatch(/served certificate 'CN=svc1' expired on /);
  });

  it('makes no connection in check mode', async () => {
    let connections = 0;
    const plain: Server = createServer((sock) => {
      connections++;
      sock.destroy();
    });
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const port = (plain.address() as { port: number }).port;
    try {
      const plan = await verify(
        { address: '127.0.0.1', port, ca_file: pki.file('root.crt') },
        { check: true },
      );
      expect(plan.skipped).toBe(`check mode: no TLS handshake with 127.0.0.1:${port}`);
      expect(connections).toBe(0);
    } finally {
      await new Promise((r) => plain.close(r));
    }
  });

  it('fails with the socket error when nothing listens', async () => {
    const s = await server(pki.leaf, [pki.intermediate]);
    const port = s.port;
    await s.close();
    const plan = await verify({ address: '127.0.0.1', port, ca_file: pki.file('root.crt') });
    expect(plan.failed).toContain(`TLS handshake with 127.0.0.1:${port} failed: `);
    expect(plan.failed).toContain('ECONNREFUSED');
  });

  it('gives up after timeout_ms when the server never answers', async () => {
    const held: import('node:net').Socket[] = [];
    const mute: Server = createServer((sock) => {
      held.push(sock);
    });
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', r));
    const port = (mute.address() as { port: number }).port;
    try {
      const started = Date.now();
      const plan = await verify({
        address: '127.0.0.1',
        port,
        ca_file: pki.file('root.crt'),
        timeout_ms: 300,
      });
      expect(plan.failed).toBe(`no TLS handshake with 127.0.0.1:${port} within 300 ms`);
      expect(Date.now() - started).toBeLessThan(3000);
    } finally {
      for (const h of held) h.destroy();
      await new Promise((r) => mute.close(r));
    }
  });

  for (const maxVersion of ['TLSv1.2', 'TLSv1.3'] as const) {
    it(`mutual TLS (${maxVersion}): rejected without a client certificate, accepted with one`, async () => {
      const s = await server(pki.leaf, [pki.intermediate], { requireClientCa: pki.root, maxVersion });
      const base = { address: '127.0.0.1', port: s.port, ca_file: pki.file('root.crt') };
      const without = await verify(base);
      expect(without.failed).toMatch(
        /TLS handshake with .* failed|rejected the connection after the handshake/,
      );
      const secrets: string[] = [];
      const withCert = await verify(
        { ...base, client_cert: pki.file('client.crt'), client_key: pki.file('client.key') },
        { secrets },
      );
      expect(withCert.failed).toBeUndefined();
      expect(withCert.result?.protocol).toBe(maxVersion);
      expect(secrets).toEqual([pki.client.keyPem]);
    });
  }

  it('retries until the expected certificate is served, and says how often it tried when it never is', async () => {
    const s = await server(pki.leaf2, [pki.intermediate]);
    const args = {
      address: '127.0.0.1',
      port: s.port,
      ca_file: pki.file('root.crt'),
      expect_cert_file: pki.file('leaf.crt'),
      delay_ms: 100,
    };
    const never = await verify({ ...args, retries: 1 });
    expect(never.failed).toMatch(/serial .* served, .* expected .*\(after 2 attempts\)$/);
    const swap = setTimeout(() => s.swap(pki.leaf, [pki.intermediate]), 150);
    try {
      const ok = await verify({ ...args, retries: 10 });
      expect(ok.failed).toBeUndefined();
      expect(ok.result?.attempts).toBeGreaterThan(1);
      expect(ok.result?.serial).toBe(pki.leaf.cert.serial);
    } finally {
      clearTimeout(swap);
    }
  });
});

describe('tls_verify arguments', () => {
  it('wants exactly one of ca_file and ca_pem', async () => {
    await expect(verify({ address: '127.0.0.1', port: 1 })).rejects.toThrow(OvnctlError);
    await expect(
      verify({ address: '127.0.0.1', port: 1, ca_file: pki.file('root.crt'), ca_pem: pki.root.cert.pem }),
    ).rejects.toThrow('give exactly one of ca_file or ca_pem');
  });

  it('fails the host when the CA file is not on the controller', async () => {
    const plan = await verify({ address: '127.0.0.1', port: 1, ca_file: `${pki.dir}/missing.crt` });
    expect(plan.failed).toBe(`tls_verify: ca_file ${pki.dir}/missing.crt does not exist on the controller`);
  });

  it('is registered with a schema that rejects unknown arguments and bad ports', () => {
    const registry = new ModuleRegistry(serviceModules);
    expect(registry.resolve('ovnctl.tls_verify')).toBe('tls_verify');
    expect(() =>
      registry.validate('tls_verify', { address: 'a', port: 5671, ca_file: 'x' }, undefined),
    ).not.toThrow();
    expect(() => registry.validate('tls_verify', { address: 'a', port: 1, cafile: 'x' }, undefined)).toThrow(
      "unsupported argument 'cafile'",
    );
    expect(() => registry.validate('tls_verify', { address: 'a', port: 'https' }, undefined)).toThrow(
      OvnctlError,
    );
  });
});
