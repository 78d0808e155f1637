/** cert_facts: what `certificates list` reports about installed certificates, CAs and endpoints. */
import fs from 'node:fs/promises';
import path from 'node:path';
import tls from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { caRotationModule } from '../../../src/modules/lifecycle/ca-rotation.js';
import { certFactsModule } from '../../../src/modules/lifecycle/cert-facts.js';
import type { CertFact, CertFacts } from '../../../src/modules/lifecycle/fact-types.js';
import { pkiAuthorities } from '../../../src/modules/pki/authorities.js';
import { pkiCertificates } from '../../../src/modules/pki/certificates.js';
import { concatPem } from '../../../src/pki/pem.js';
import { type Harness, harness, OSA_AUTHORITIES } from '../pki/harness.js';
import { oldSerials } from './rotation-result.js';

let h: Harness;
const INT = 'ExampleCorpIntermediate';
const DAY = 86_400_000;
const store = (n: string, kind: 'cert' | 'key' | 'chain' | 'bundle') =>
  path.join(
    h.dir,
    'pki',
    'certs',
    kind === 'key' ? 'private' : 'certs',
    kind === 'key'
      ? `${n}.key.pem`
      : kind === 'chain'
        ? `${n}-chain.crt`
        : kind === 'bundle'
          ? `${n}-ca_bundle.crt`
          : `${n}.crt`,
  );
const host = (f: string) => path.join(h.dir, 'host', f);
const LEAVES = ['web_a', 'web_b'].map((name) => ({
  name,
  cn: 'a.example.test',
  san: { dns: ['a.example.test'], ip: ['127.0.0.1'] },
  signed_by: INT,
}));

/** What a role would install for `name`: .crt, .key, -ca.crt and the .pem bundle. */
async function install(name: string, as = name): Promise<void> {
  await fs.mkdir(host(''), { recursive: true });
  await fs.copyFile(store(name, 'cert'), host(`${as}.crt`));
  await fs.copyFile(store(name, 'key'), host(`${as}.key`));
  await fs.copyFile(store(name, 'bundle'), host(`${as}-ca.crt`));
  const parts = await Promise.all(
    [store(name, 'cert'), store(name, 'bundle'), store(name, 'key')].map((f) => fs.readFile(f)),
  );
  await fs.writeFile(host(`${as}.pem`), concatPem(parts));
}

const installed = (name: string) => [
  { name, type: 'certificate', dest: host(`${name}.crt`) },
  { name, type: 'private_key', dest: host(`${name}.key`) },
  { name, type: 'ca_bundle', dest: host(`${name}-ca.crt`) },
];
const bundles = (name: string) => [
  { dest: host(`${name}.pem`), sources: [store(name, 'cert'), store(name, 'bundle'), store(name, 'key')] },
];

async function facts(params: Record<string, unknown>, now?: Date): Promise<CertFacts> {
  const plan = await certFactsModule.plan(
    { service: 'web', pki_dir: 'pki', ...params } as never,
    h.ctx({}, now ? { now } : {}),
  );
  expect(plan.steps).toEqual([]);
  return plan.result?.cert_facts as CertFacts;
}
const one = async (params: Record<string, unknown>, now?: Date): Promise<CertFact> =>
  (await facts(params, now)).certificates[0] as CertFact;
const web = (extra: Record<string, unknown> = {}) => ({
  signed_by: INT,
  installed: installed('web_a'),
  bundles: bundles('web_a'),
  ...extra,
});

function serve(name: string): Promise<{ port: number; close: () => Promise<void> }> {
  return Promise.all([fs.readFile(store(name, 'chain')), fs.readFile(store(name, 'key'))]).then(
    ([cert, key]) =>
      new Promise((resolve) => {
        const server = tls.createServer({ cert, key }, (s) => s.end());
        server.listen(0, '127.0.0.1', () => {
          const port = (server.address() as { port: number }).port;
          resolve({ port, close: () => new Promise<void>((r) => server.close(() => r())) });
        });
      }),
  );
}

beforeEach(async () => {
  h = await harness();
  await h.run(pkiAuthorities, { pki_dir: 'pki', authorities: OSA_AUTHORITIES } as never);
  await h.run(pkiCertificates, { pki_dir: 'pki', certificates: LEAVES, default_ttl: '30d' } as never);
  await install('web_a');
});
afterEach(async () => {
  await h.cleanup();
});

describe('cert_facts', () => {
  it('reports a healthy installation: files, identity, days left, key, chain, current CA, and what the endpoint serves', async () => {
    const server = await serve('web_a');
    try {
      const c = await one(
        web({
          endpoints: [
            { address: '127.0.0.1', port: server.port, cert_file: store('web_a', 'cert'), label: 'web' },
          ],
        }),
      );
      expect(c.files.map((f) => [path.basename(f.path), f.role, f.present])).toEqual([
        ['web_a.crt', 'certificate', true],
        ['web_a.key', 'private_key', true],
        ['web_a-ca.crt', 'ca_bundle', true],
        ['web_a.pem', 'bundle', true],
      ]);
      expect(c).toMatchObject({
        status: 'ok',
        problems: [],
        key_matches: true,
        chain_ok: true,
        issued_by: 'current',
        subject: '/CN=a.example.test',
        days_left: 29,
      });
      expect(c.san).toEqual(['DNS:a.example.test', 'IP:127.0.0.1']);
      expect(c.endpoints).toEqual([
        { address: '127.0.0.1', port: server.port, label: 'web', serves: true, served_serial: c.serial },
      ]);
    } finally {
      await server.close();
    }
  });

  it('flags what a pipeline must stop on: due within the window, a missing file, a foreign key, another bundle, a stale install, another certificate served', async () => {
    expect((await one(web({ renew_before: '30d' }))).status).toBe('renew');
    expect((await one(web(), new Date(Date.now() + 31 * DAY))).problems[0]).toMatch(/^expired on /);

    await fs.rm(host('web_a-ca.crt'));
    const missing = await one(web());
    expect(missing.status).toBe('error');
    expect(missing.problems).toEqual([`${host('web_a-ca.crt')} is missing`]);
    expect(missing.files.find((f) => f.role === 'ca_bundle')?.present).toBe(false);
    await install('web_a');

    await fs.copyFile(store('web_b', 'key'), host('web_a.key'));
    const foreign = await one(web());
    expect(foreign.key_matches).toBe(false);
    expect(foreign.problems).toEqual([`the key in ${host('web_a.key')} does not match the certificate`]);
    await install('web_a');

    await install('web_b', 'web_a');
    const stale = await one(web());
    expect(stale.problems).toContain(
      `the PKI store holds another certificate (serial ${stale.store_serial}): it is not installed yet`,
    );
    await install('web_a');

    const server = await serve('web_b');
    try {
      const other = await one(
        web({ endpoints: [{ address: '127.0.0.1', port: server.port, cert_file: store('web_a', 'cert') }] }),
      );
      expect(other.status).toBe('error');
      expect(other.endpoints[0]?.serves).toBe(false);
      expect(other.problems[0]).toMatch(
        /^127\.0\.0\.1:\d+ serves serial [0-9a-f]+, not the installed certificate$/,
      );
    } finally {
      await server.close();
    }
  });

  it('tells leaves of the current CA from those of the CA a rotation is replacing', async () => {
    const prep = await h.run(caRotationModule, {
      pki_dir: 'pki',
      stage: 'prepare',
      ca: INT,
      authorities: OSA_AUTHORITIES,
    } as never);
    expect((await one(web())).issued_by).toBe('current');
    const serial = oldSerials(prep)[INT];
    await h.run(caRotationModule, {
      pki_dir: 'pki',
      stage: 'promote',
      ca: INT,
      authorities: OSA_AUTHORITIES,
      old_serials: { [INT]: serial },
    } as never);
    const c = await one(web());
    expect(c.issued_by).toBe('previous');
    expect(c.status).toBe('error');
    expect(c.problems).toContain(`issued by the previous ${INT}: a CA rotation is in progress`);
    // The leaf still verifies against the bundle installed with it (old and new chains).
    await fs.copyFile(
      path.join(h.dir, 'pki', 'roots', INT, 'certs', `${INT}-trust.crt`),
      host('web_a-ca.crt'),
    );
    expect((await one(web())).chain_ok).toBe(true);
  });

  it('reports the CAs of the PKI store, user-provided ones as not auto-renewed, and a staged next CA', async () => {
    await h.run(caRotationModule, {
      pki_dir: 'pki',
      stage: 'prepare',
      ca: INT,
      authorities: OSA_AUTHORITIES,
    } as never);
    await fs.writeFile(path.join(h.dir, 'pki', 'roots', 'ExampleCorpRoot', 'user-provided'), '{}\n');
    const r = await facts({ authorities: OSA_AUTHORITIES });
    expect(
      r.certificates.map((c) => [c.name, c.kind, c.status, c.auto_renew, c.issued_by, c.key_matches]),
    ).toEqual([
      ['ExampleCorpRoot', 'ca', 'ok', false, 'self', true],
      [INT, 'ca', 'ok', true, 'current', true],
    ]);
    expect(r.certificates[1]?.next?.serial).toMatch(/^[0-9a-f]+$/);
    expect(r.certificates[1]?.files.map((f) => f.role)).toEqual([
      'certificate',
      'private_key',
      'ca_chain',
      'ca_bundle',
    ]);
    expect(r.certificates[0]?.days_left).toBe(3649);
  });
});
