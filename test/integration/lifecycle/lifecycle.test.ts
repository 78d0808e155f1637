/**
 * `ovnctl certificates list | renew | reissue | set-ca` against two rig hosts running haproxy and
 * RabbitMQ: days left checked against the issued files, a short-lived certificate renewed alone,
 * a service reissued on one host, a bad user CA refused with nothing changed, and the security
 * event log written as it should (and never with key material).
 */
import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../../../src/lifecycle/fleet-report.js';
import type { CertFact } from '../../../src/modules/lifecycle/fact-types.js';
import { serialOf, verify } from './probe.js';
import { type LogEvent, logFile, readLog } from './security-log.js';
import { type Fleet, startFleet } from './setup.js';

let fleet: Fleet;
const timings: Record<string, number> = {};

const haproxyCert = (i: number) => {
  const h = fleet.rig.hosts[i];
  return `haproxy_${h?.name}-${h?.address}`;
};
const storeSerial = (name: string) => serialOf(readFileSync(fleet.pki('certs', 'certs', `${name}.crt`)));
const rabbitCert = () => `rabbitmq_${fleet.names[0]}`;
const rootCa = () => readFileSync(fleet.pki('roots', 'ExampleCorpRoot', 'certs', 'ExampleCorpRoot.crt'));

async function timed<T>(name: string, f: () => Promise<T>): Promise<T> {
  const t = Date.now();
  try {
    return await f();
  } finally {
    timings[name] = Date.now() - t;
  }
}

function certsOf(report: FleetReport, host: string, service: string): CertFact[] {
  return report.hosts[host]?.sections.find((s) => s.service === service)?.certificates ?? [];
}

async function listJson(): Promise<{ code: number; report: FleetReport }> {
  const r = await fleet.ovnctl(['certificates', 'list', '--output', 'json']);
  try {
    return { code: r.code, report: JSON.parse(r.stdout) as FleetReport };
  } catch {
    throw new Error(`list did not print JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

/** Every file under the PKI store with its content hash. */
function storeSnapshot(): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (e.isDirectory()) walk(p);
      else out.set(p, createHash('sha256').update(readFileSync(p)).digest('hex'));
    }
  };
  walk(fleet.pki());
  return out;
}

const eventsSince = (n: number): LogEvent[] => readLog(fleet.dir).slice(n);

beforeAll(async () => {
  fleet = await timed('fleetStart', () =>
    startFleet({ baseOctet: 100, namePrefix: 'lc', rabbitPort: 42370 }),
  );
  const haproxy = await timed('installHaproxy', () => fleet.ovnctl(['run', 'haproxy-install.yml']));
  if (haproxy.code !== 0) throw new Error(`haproxy-install failed:\n${haproxy.stdout}\n${haproxy.stderr}`);
  // RabbitMQ's certificate is made short-lived: 5 days, inside the default 10-day window.
  const rabbit = await timed('installRabbitmq', () =>
    fleet.ovnctl(['run', 'rabbitmq-install.yml', '-e', 'pki_default_cert_ttl=5d']),
  );
  if (rabbit.code !== 0)
    throw new Error(
      `rabbitmq-install failed:\n${rabbit.stdout}\n${rabbit.stderr}\n${await fleet.rabbit.log()}`,
    );
});

afterAll(async () => {
  await fleet?.cleanup();
  process.stderr.write(`certificate lifecycle timings (ms): ${JSON.stringify(timings)}\n`);
});

describe('ovnctl certificates on rig hosts with haproxy and RabbitMQ', () => {
  it('list: days left match the issued files, the short-lived certificate is due, endpoints serve what is installed', async () => {
    const { code, report } = await timed('list', listJson);
    expect(code).toBe(2);
    const now = Date.parse(report.generated);
    const expectedDays = (file: string) =>
      Math.floor((Date.parse(new X509Certificate(readFileSync(file)).validTo) - now) / 86_400_000);

    const [rabbit] = certsOf(report, fleet.names[0] as string, 'rabbitmq');
    expect(rabbit?.name).toBe(rabbitCert());
    expect(rabbit?.days_left).toBe(expectedDays(fleet.pki('certs', 'certs', `${rabbitCert()}.crt`)));
    expect(rabbit?.days_left).toBeLessThan(5);
    expect(rabbit?.status).toBe('renew');
    expect(rabbit?.problems).toEqual([]);
    expect(rabbit?.endpoints.map((e) => e.serves)).toEqual([true]);
    expect(rabbit?.files.map((f) => [f.path, f.present])).toEqual([
      ['/etc/rabbitmq/rabbitmq.pem', true],
      ['/etc/rabbitmq/rabbitmq.key', true],
      ['/etc/rabbitmq/rabbitmq-ca.pem', true],
    ]);

    for (const [i, host] of fleet.names.entries()) {
      const [cert, ...others] = certsOf(report, host, 'haproxy');
      expect(others).toEqual([]);
      expect(cert?.name).toBe(haproxyCert(i));
      expect(cert?.days_left).toBe(expectedDays(fleet.pki('certs', 'certs', `${haproxyCert(i)}.crt`)));
      expect(cert?.days_left).toBeGreaterThan(700);
      expect(cert).toMatchObject({ status: 'ok', key_matches: true, chain_ok: true, issued_by: 'current' });
      expect(cert?.serial).toBe(storeSerial(haproxyCert(i)));
      expect(cert?.san).toContain(`IP:${fleet.rig.hosts[i]?.address}`);
      expect(cert?.endpoints).toEqual([
        expect.objectContaining({ address: fleet.rig.hosts[i]?.address, port: 5000, serves: true }),
      ]);
      expect(cert?.files.map((f) => f.path.replace(/.*\//, ''))).toEqual(
        ['.crt', '.key', '-ca.crt', '.pem'].map((s) => `${haproxyCert(i)}${s}`),
      );
    }
    const cas = certsOf(report, 'localhost', 'ca');
    expect(cas.map((c) => [c.name, c.status, c.auto_renew])).toEqual([
      ['ExampleCorpRoot', 'ok', true],
      ['ExampleCorpIntermediate', 'ok', true],
    ]);
    expect(cas[0]?.days_left).toBe(
      expectedDays(fleet.pki('roots', 'ExampleCorpRoot', 'certs', 'ExampleCorpRoot.crt')),
    );

    const text = await fleet.ovnctl(['certificates', 'list']);
    expect(text.code).toBe(2);
    expect(text.stdout).toContain(`== ${fleet.names[0]} ==`);
    expect(text.stdout).toContain('[RabbitMQ]');
    expect(text.stdout).toContain('/etc/rabbitmq/rabbitmq.pem (OK: Present)');
    expect(text.stdout).toMatch(/expiration date: \S+ \(\d+ days left\)/);
    expect(text.stdout).toContain('status: Renew: expires within the renewal window (10 days)');
    expect(text.stdout).toContain('Auto-renew: true');
  });

  it('renew --within 10d reissues only the certificate that expires within 10 days, and it is served', async () => {
    const before = {
      h1: storeSerial(haproxyCert(0)),
      h2: storeSerial(haproxyCert(1)),
      rabbit: storeSerial(rabbitCert()),
      root: serialOf(rootCa()),
    };
    const mark = readLog(fleet.dir).length;
    const r = await timed('renew', () => fleet.ovnctl(['certificates', 'renew', '--within', '10d']));
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain(`${rabbitCert()} on ${fleet.names[0]}`);
    expect(storeSerial(rabbitCert())).not.toBe(before.rabbit);
    expect(storeSerial(haproxyCert(0))).toBe(before.h1);
    expect(storeSerial(haproxyCert(1))).toBe(before.h2);
    expect(serialOf(rootCa())).toBe(before.root);
    const served = await verify(fleet.endpoints[2] as (typeof fleet.endpoints)[number], [rootCa()]);
    expect(served).toMatchObject({ ok: true, serial: storeSerial(rabbitCert()) });

    const issued = eventsSince(mark).filter((e) => e.event === 'authn_password_changed');
    expect(issued.map((e) => [e.category, e.certificate, e.service, e.host, e.auto_renew])).toEqual([
      ['AUTHN', rabbitCert(), 'rabbitmq', fleet.names[0], true],
    ]);

    const { code, report } = await listJson();
    expect(code).toBe(0);
    expect(certsOf(report, fleet.names[0] as string, 'rabbitmq')[0]?.days_left).toBeGreaterThan(700);
    // Nothing is due any more: a second renew changes nothing.
    const again = await fleet.ovnctl(['certificates', 'renew', '--within', '10d']);
    expect(again.code).toBe(0);
    expect(again.stdout).toContain('nothing expires within 10d');
  });

  it('reissue: a service not deployed on a selected host is refused; a broken host is repaired with new certificates', async () => {
    const refused = await fleet.ovnctl([
      'certificates',
      'reissue',
      'rabbitmq',
      '-l',
      fleet.names[1] as string,
    ]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain(
      `rabbitmq is not deployed on ${fleet.names[1]} (not in group rabbitmq_all)`,
    );

    const caFile = join(fleet.rig.hostRoot(1), 'etc/haproxy/ssl', `${haproxyCert(1)}-ca.crt`);
    rmSync(caFile);
    const broken = await listJson();
    expect(broken.code).toBe(2);
    const [cert] = certsOf(broken.report, fleet.names[1] as string, 'haproxy');
    expect(cert?.status).toBe('error');
    expect(cert?.problems).toContain(`/etc/haproxy/ssl/${haproxyCert(1)}-ca.crt is missing`);
    const text = await fleet.ovnctl(['certificates', 'list']);
    expect(text.stdout).toContain(`/etc/haproxy/ssl/${haproxyCert(1)}-ca.crt (Error: Missing file)`);

    const before = [storeSerial(haproxyCert(0)), storeSerial(haproxyCert(1))];
    const mark = readLog(fleet.dir).length;
    const r = await timed('reissue', () =>
      fleet.ovnctl(['certificates', 'reissue', 'haproxy', '-l', fleet.names[1] as string]),
    );
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(storeSerial(haproxyCert(0))).toBe(before[0]);
    expect(storeSerial(haproxyCert(1))).not.toBe(before[1]);
    expect(existsSync(caFile)).toBe(true);
    const served = await verify(fleet.endpoints[1] as (typeof fleet.endpoints)[number], [rootCa()]);
    expect(served).toMatchObject({ ok: true, serial: storeSerial(haproxyCert(1)) });
    const events = eventsSince(mark);
    expect(events.filter((e) => e.event === 'authz_admin')).toEqual([
      expect.objectContaining({
        category: 'AUTHZ',
        action: 'reissue_certificates',
        service: 'haproxy',
        hosts: [fleet.names[1]],
      }),
    ]);
    expect(
      events.filter((e) => e.event === 'authn_password_changed').map((e) => [e.certificate, e.auto_renew]),
    ).toEqual([[haproxyCert(1), false]]);
    expect((await listJson()).code).toBe(0);
  });

  it('set-ca with a key that does not match the CA is refused, and nothing changes', async () => {
    const ca = join(fleet.dir, 'user-ca.crt');
    const caKey = join(fleet.dir, 'user-ca.key');
    const otherKey = join(fleet.dir, 'other.key');
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      caKey,
    ]);
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-256',
      '-out',
      otherKey,
    ]);
    execFileSync('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      caKey,
      '-out',
      ca,
      '-days',
      '30',
      '-subj',
      '/CN=User CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    const store = storeSnapshot();
    const served = await Promise.all(fleet.endpoints.map((e) => verify(e, [rootCa()])));
    const logLines = readLog(fleet.dir).length;

    const r = await fleet.ovnctl(['certificates', 'set-ca', '--cert', ca, '--key', otherKey]);
    expect(r.code).toBe(6);
    expect(r.stderr).toContain('does not match');
    expect(storeSnapshot()).toEqual(store);
    expect(existsSync(join(fleet.dir, '.ovnctl', 'ca-rotation.json'))).toBe(false);
    expect(await Promise.all(fleet.endpoints.map((e) => verify(e, [rootCa()])))).toEqual(served);
    expect(readLog(fleet.dir).length).toBe(logLines);
  });

  it('the security log holds the expected events, is private, never holds PEM, and can be turned off', async () => {
    const mark = readLog(fleet.dir).length;
    const r = await fleet.ovnctl([
      'run',
      'haproxy-install.yml',
      '-l',
      fleet.names[0] as string,
      '-e',
      'haproxy_pki_regen_cert=true',
    ]);
    expect(r.code, r.stderr).toBe(0);
    const events = eventsSince(mark);
    expect(events[0]).toMatchObject({
      category: 'AUTHZ',
      event: 'authz_admin',
      action: 'config_set',
      key: 'haproxy_pki_regen_cert',
      value: 'true',
    });
    expect(events.filter((e) => e.category === 'SYS').map((e) => [e.event, e.command, e.playbook])).toEqual([
      ['sys_startup', 'run', 'haproxy-install.yml'],
      ['sys_shutdown', 'run', 'haproxy-install.yml'],
    ]);
    expect(events.filter((e) => e.category === 'AUTHN')).toEqual([
      expect.objectContaining({
        event: 'authn_password_changed',
        action: 'issue_certificate',
        service: 'haproxy',
        certificate: haproxyCert(0),
        host: fleet.names[0],
        serial: storeSerial(haproxyCert(0)),
        auto_renew: false,
      }),
    ]);

    const all = readLog(fleet.dir);
    // The CAs were created by the first install: subject=CA, renewed automatically.
    expect(all.filter((e) => e.subject === 'CA').map((e) => [e.ca, e.auto_renew, e.issue])).toEqual([
      ['ExampleCorpRoot', true, 'created'],
      ['ExampleCorpIntermediate', true, 'created'],
    ]);
    for (const e of all) {
      expect(e.security).toBe(true);
      expect(['AUTHN', 'AUTHZ', 'SYS']).toContain(e.category);
      expect(typeof e.operator).toBe('string');
    }
    const raw = readFileSync(logFile(fleet.dir), 'utf8');
    expect(raw).not.toMatch(/BEGIN|PRIVATE KEY|END CERTIFICATE/);
    expect(statSync(logFile(fleet.dir)).mode & 0o777).toBe(0o600);

    const verbose = await fleet.ovnctl(['certificates', 'list', '-v']);
    expect(verbose.stderr).toMatch(/^security: \{.*"event":"sys_startup"/m);
    const size = readLog(fleet.dir).length;
    const off = await fleet.ovnctl(['certificates', 'list', '-e', 'security_logging=false']);
    expect(off.code).toBe(0);
    expect(readLog(fleet.dir).length).toBe(size);
  });

  it('renew with a window that reaches the CAs renews them with their keys, then every service: clients of the old root keep working', async () => {
    const rootKey = readFileSync(fleet.pki('roots', 'ExampleCorpRoot', 'private', 'ExampleCorpRoot.key.pem'));
    const oldRoot = rootCa();
    const leaves = [haproxyCert(0), haproxyCert(1), rabbitCert()];
    const before = leaves.map(storeSerial);
    const mark = readLog(fleet.dir).length;
    const r = await timed('renewCa', () => fleet.ovnctl(['certificates', 'renew', '--within', '4000d']));
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(r.stdout).toContain('CA ExampleCorpRoot, ExampleCorpIntermediate expire within 4000d');
    expect(serialOf(rootCa())).not.toBe(serialOf(oldRoot));
    expect(
      readFileSync(fleet.pki('roots', 'ExampleCorpRoot', 'private', 'ExampleCorpRoot.key.pem')).equals(
        rootKey,
      ),
    ).toBe(true);
    const after = leaves.map(storeSerial);
    for (const [i, serial] of after.entries()) expect(serial).not.toBe(before[i]);
    // Same key and subject: a client still holding the previous root certificate verifies the new chains.
    expect(
      (await Promise.all(fleet.endpoints.map((e) => verify(e, [oldRoot])))).map((v) => [v.ok, v.serial]),
    ).toEqual(after.map((serial) => [true, serial]));
    const events = eventsSince(mark).filter((e) => e.category === 'AUTHN');
    expect(events.filter((e) => e.subject === 'CA').map((e) => [e.ca, e.issue, e.auto_renew])).toEqual([
      ['ExampleCorpRoot', 'reissued', true],
      ['ExampleCorpIntermediate', 'reissued', true],
    ]);
    // Each renewed once: the CAs by their own run, each leaf by its service's run.
    expect(
      events
        .filter((e) => e.action === 'issue_certificate')
        .map((e) => `${e.certificate} ${e.auto_renew}`)
        .sort(),
    ).toEqual(leaves.map((l) => `${l} true`).sort());
  });
});
