/**
 * `ovnctl certificates regenerate-ca` against two rig hosts running haproxy and RabbitMQ, with
 * clients polling every TLS endpoint while it runs: a client given the trust bundle never sees a
 * failed handshake, a client that trusts only the old root keeps working through stage 1, and
 * after stage 3 the new root alone is enough (and the old one no longer is). Then a reload
 * failure injected in stage 2 on one host: the rotation stops, every host still serves a valid
 * certificate, and running the command again finishes the job.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RotationState } from '../../../src/lifecycle/rotation-state.js';
import { serialOf, splitCerts, stage1, type Verdict, verify } from './probe.js';
import { readLog } from './security-log.js';
import { caFileSerials as caFileSerialsOf, type Endpoint, type Fleet, startFleet } from './setup.js';

let fleet: Fleet;
const timings: Record<string, number> = {};
const ROOT = 'ExampleCorpRoot';

const rootCa = () => readFileSync(fleet.pki('roots', ROOT, 'certs', `${ROOT}.crt`));
const trustFile = () => fleet.pki('roots', ROOT, 'certs', `${ROOT}-trust.crt`);
const stateFile = () => join(fleet.dir, '.ovnctl', 'ca-rotation.json');
const state = (): RotationState | null =>
  existsSync(stateFile()) ? (JSON.parse(readFileSync(stateFile(), 'utf8')) as RotationState) : null;
const all = (ca: readonly Buffer[]) => Promise.all(fleet.endpoints.map((e) => verify(e, ca)));
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Attempt {
  endpoint: string;
  before: string;
  after: string;
  bundle: Verdict;
  oldOnly: Verdict;
  /** Serials in each CA file the hosts hand to clients (haproxy -ca.crt, rabbitmq-ca.pem), read just before. */
  hostCaFiles: string[][];
}

const caFileSerials = () => caFileSerialsOf(fleet);

/** Polls every endpoint until the command ends (bounded): with the trust bundle, and with the old root only. */
async function pollWhile(running: () => boolean, oldRoot: Buffer, deadlineMs: number): Promise<Attempt[]> {
  const trusted: Buffer[] = [oldRoot];
  const attempts: Attempt[] = [];
  const deadline = Date.now() + deadlineMs;
  while (running() && Date.now() < deadline) {
    // What stage 1 hands out: once the trust bundle exists, the client trusts it too (and keeps it).
    if (existsSync(trustFile())) {
      for (const c of splitCerts(readFileSync(trustFile(), 'utf8')))
        if (!trusted.some((t) => t.equals(c))) trusted.push(c);
    }
    const files = caFileSerials();
    for (const ep of fleet.endpoints) {
      const before = state()?.next ?? 'none';
      const bundle = await verify(ep, trusted);
      const oldOnly = await verify(ep, [oldRoot]);
      attempts.push({
        endpoint: ep.label,
        before,
        after: state()?.next ?? 'none',
        bundle,
        oldOnly,
        hostCaFiles: files,
      });
    }
    await sleep(100);
  }
  return attempts;
}

beforeAll(async () => {
  let t = Date.now();
  fleet = await startFleet({ baseOctet: 110, namePrefix: 'rot', rabbitPort: 42390 });
  timings.fleetStart = Date.now() - t;
  t = Date.now();
  for (const playbook of ['haproxy-install.yml', 'rabbitmq-install.yml']) {
    const r = await fleet.ovnctl(['run', playbook]);
    if (r.code !== 0) throw new Error(`${playbook} failed:\n${r.stdout}\n${r.stderr}`);
  }
  timings.install = Date.now() - t;
});

afterAll(async () => {
  await fleet?.cleanup();
  process.stderr.write(`CA rotation timings (ms): ${JSON.stringify(timings)}\n`);
});

describe('ovnctl certificates regenerate-ca on rig hosts with haproxy and RabbitMQ', () => {
  it('rotates the root CA with no failed handshake: old root works through stage 1, the new root alone after stage 3', async () => {
    const oldRoot = rootCa();
    const mark = readLog(fleet.dir).length;
    const started = Date.now();
    const p = fleet.start(['certificates', 'regenerate-ca']);
    let running = true;
    const ended = p.exited(300_000).finally(() => {
      running = false;
    });
    const attempts = await pollWhile(() => running, oldRoot, 300_000);
    const exit = await ended;
    timings.rotation = Date.now() - started;
    expect(exit.code, `${p.stdout()}\n${p.stderr()}`).toBe(0);

    expect(attempts.filter((a) => !a.bundle.ok)).toEqual([]);
    const phases = new Set(attempts.map((a) => a.before));
    for (const s of ['trust', 'reissue', 'cleanup']) expect(phases, `polled during ${s}`).toContain(s);
    const early = stage1(attempts);
    expect(early.length).toBeGreaterThanOrEqual(fleet.endpoints.length);
    expect(early.filter((a) => !a.oldOnly.ok)).toEqual([]);

    const newRoot = rootCa();
    expect(serialOf(newRoot)).not.toBe(serialOf(oldRoot));
    // While leaves are reissued, every CA file the hosts hand out holds the old and the new root.
    const stage2 = attempts.filter((a) => a.before === 'reissue' && a.after === 'reissue');
    expect(stage2.length).toBeGreaterThan(0);
    for (const a of stage2) {
      for (const serials of a.hostCaFiles)
        expect(serials).toEqual(expect.arrayContaining([serialOf(oldRoot), serialOf(newRoot)]));
    }
    expect((await all([newRoot])).map((v) => v.ok)).toEqual(fleet.endpoints.map(() => true));
    expect((await all([oldRoot])).map((v) => v.ok)).toEqual(fleet.endpoints.map(() => false));

    const s = state();
    expect(s?.next).toBe('done');
    expect(s?.cas).toEqual([ROOT, 'ExampleCorpIntermediate']);
    for (const h of fleet.names) expect(s?.hosts[h]).toEqual({ trust: 'ok', reissue: 'ok', cleanup: 'ok' });
    // The old CA is backed up, never deleted; the trust bundle is gone; hosts trust the new chain only.
    const certs = readdirSync(fleet.pki('roots', ROOT, 'certs'));
    const backup = certs.find((f) => f.startsWith(`${ROOT}.crt.`) && f.endsWith('~'));
    expect(backup && readFileSync(fleet.pki('roots', ROOT, 'certs', backup)).equals(oldRoot)).toBe(true);
    const keyBackup = readdirSync(fleet.pki('roots', ROOT, 'private')).find((f) => f.endsWith('~'));
    expect(keyBackup && statSync(fleet.pki('roots', ROOT, 'private', keyBackup)).mode & 0o777).toBe(0o600);
    expect(existsSync(trustFile())).toBe(false);
    const host = fleet.rig.hosts[0];
    const hostCa = readFileSync(
      join(fleet.rig.hostRoot(0), 'etc/haproxy/ssl', `haproxy_${host?.name}-${host?.address}-ca.crt`),
      'utf8',
    );
    expect(splitCerts(hostCa).map((c) => serialOf(c))).toEqual(
      [
        fleet.pki('roots', 'ExampleCorpIntermediate', 'certs', 'ExampleCorpIntermediate.crt'),
        fleet.pki('roots', ROOT, 'certs', `${ROOT}.crt`),
      ].map((f) => serialOf(readFileSync(f))),
    );

    const events = readLog(fleet.dir).slice(mark);
    expect(events.filter((e) => e.category === 'AUTHZ').map((e) => [e.action, e.ca])).toEqual([
      ['regenerate_ca', '(root of the service CA)'],
    ]);
    expect(events.filter((e) => e.subject === 'CA').map((e) => [e.ca, e.issue, e.serial])).toEqual([
      [ROOT, 'staged', s?.new_serials[ROOT]],
      ['ExampleCorpIntermediate', 'staged', s?.new_serials.ExampleCorpIntermediate],
    ]);
    expect(
      events
        .filter((e) => e.action === 'issue_certificate')
        .map((e) => `${e.service} ${e.host}`)
        .sort(),
    ).toEqual([...fleet.names.map((n) => `haproxy ${n}`), `rabbitmq ${fleet.names[0]}`].sort());
    process.stderr.write(`rotation: ${attempts.length} polled handshakes, phases ${[...phases].join(',')}\n`);
  });

  it('a reload failure injected in stage 2 on one host stops the rotation with valid certificates everywhere; the next run completes', async () => {
    const marker = join(fleet.rig.hostRoot(1), 'etc/haproxy/fail-reissue');
    writeFileSync(marker, 'injected by the test\n');
    const oldRoot = rootCa();
    let t = Date.now();
    const first = await fleet.ovnctl(['certificates', 'regenerate-ca']);
    timings.failedRotation = Date.now() - t;
    expect(first.code, `${first.stdout}\n${first.stderr}`).toBe(2);
    expect(first.stdout).toContain('stopped at stage 2/3 (reissue)');
    const s = state();
    expect(s?.next).toBe('reissue');
    const [ok, failed] = fleet.names;
    expect(s?.hosts[ok as string]).toEqual({ trust: 'ok', reissue: 'ok' });
    expect(s?.hosts[failed as string]).toEqual({ trust: 'ok', reissue: 'failed' });

    // Every endpoint serves a certificate that verifies against the bundle the hosts were given.
    const bundle = splitCerts(readFileSync(trustFile(), 'utf8'));
    for (const serials of caFileSerials())
      expect(serials).toEqual(expect.arrayContaining([serialOf(oldRoot), serialOf(rootCa())]));
    expect((await all(bundle)).map((v) => v.ok)).toEqual(fleet.endpoints.map(() => true));
    const newRoot = rootCa();
    const byLabel = (label: string) => fleet.endpoints.find((e) => e.label === label) as Endpoint;
    expect((await verify(byLabel(`haproxy ${ok}`), [newRoot])).ok).toBe(true);
    expect((await verify(byLabel(`haproxy ${failed}`), [oldRoot])).ok).toBe(true);
    expect((await verify(byLabel(`haproxy ${failed}`), [newRoot])).ok).toBe(false);

    const list = await fleet.ovnctl(['certificates', 'list']);
    expect(list.code).toBe(2);
    expect(list.stdout).toContain(`CA rotation ${s?.id} (regenerate-ca) of ${ROOT}`);
    expect(list.stdout).toContain(`${failed}: stage 1 ok, stage 2 failed, stage 3 pending`);

    rmSync(marker);
    t = Date.now();
    const second = await fleet.ovnctl(['certificates', 'regenerate-ca']);
    timings.resume = Date.now() - t;
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);
    expect(second.stdout).toContain(`resuming the regenerate-ca rotation ${s?.id}`);
    expect(state()?.next).toBe('done');
    expect((await all([rootCa()])).map((v) => v.ok)).toEqual(fleet.endpoints.map(() => true));
    expect((await all([oldRoot])).map((v) => v.ok)).toEqual(fleet.endpoints.map(() => false));
    expect((await fleet.ovnctl(['certificates', 'list'])).code).toBe(0);
  });

  it('set-ca adopts a user CA the same way: every endpoint then verifies against it alone, and it is never renewed', async () => {
    const key = join(fleet.dir, 'corp.key');
    const combined = join(fleet.dir, 'corp-ca.pem');
    execFileSync('openssl', [
      'genpkey',
      '-algorithm',
      'EC',
      '-pkeyopt',
      'ec_paramgen_curve:P-384',
      '-out',
      key,
    ]);
    const crt = execFileSync('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-days',
      '365',
      '-subj',
      '/O=Corp/CN=Corp Root CA',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign,cRLSign',
    ]);
    writeFileSync(combined, Buffer.concat([crt, readFileSync(key)]), { mode: 0o600 });
    const oldRoot = rootCa();
    const mark = readLog(fleet.dir).length;
    const t = Date.now();
    const r = await fleet.ovnctl(['certificates', 'set-ca', '--combined', combined]);
    timings.setCa = Date.now() - t;
    expect(r.code, `${r.stdout}\n${r.stderr}`).toBe(0);
    expect(rootCa().equals(crt)).toBe(true);
    expect((await all([crt])).map((v) => v.ok)).toEqual(fleet.endpoints.map(() => true));
    expect((await all([oldRoot])).map((v) => v.ok)).toEqual(fleet.endpoints.map(() => false));
    expect(state()).toMatchObject({ kind: 'set-ca', next: 'done', source: { cert: combined } });

    const list = await fleet.ovnctl(['certificates', 'list', '--output', 'json']);
    expect(list.code).toBe(0);
    const cas = JSON.parse(list.stdout).hosts.localhost.sections[0].certificates as {
      name: string;
      auto_renew: boolean;
      user_provided: boolean;
    }[];
    expect(cas.map((c) => [c.name, c.user_provided, c.auto_renew])).toEqual([
      [ROOT, true, false],
      ['ExampleCorpIntermediate', false, true],
    ]);
    // The adopted CA stays as it is on later runs (its subject is not the configured one).
    const again = await fleet.ovnctl(['run', 'haproxy-install.yml', '--output', 'json']);
    expect(again.code).toBe(0);
    const stats = JSON.parse(again.stdout).stats as Record<string, { changed: number }>;
    expect(Object.values(stats).map((s) => s.changed)).toEqual(Object.values(stats).map(() => 0));

    const events = readLog(fleet.dir).slice(mark);
    expect(events.filter((e) => e.category === 'AUTHZ')).toEqual([
      expect.objectContaining({ event: 'authz_admin', action: 'set_custom_ca', source: combined }),
    ]);
    expect(events.filter((e) => e.subject === 'CA').map((e) => [e.ca, e.auto_renew])).toEqual([
      [ROOT, false],
      ['ExampleCorpIntermediate', true],
    ]);
    expect(readFileSync(join(fleet.dir, '.ovnctl', 'security.log'), 'utf8')).not.toMatch(/PRIVATE KEY|BEGIN/);
  });
});
