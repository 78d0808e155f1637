/**
 * The certificate lifecycle of OVN on rig hosts (net 6): a central node (NB, SB, ovn-northd) and
 * a chassis (ovn-controller) from Debian's packages, installed with ovn-install.yml. `list` reads
 * every OVN certificate and what NB and SB serve (with a client certificate: ovsdb-server insists
 * on one), `reissue ovnsb` changes that certificate alone, `renew` reissues only a short-lived
 * one, and `regenerate-ca --ca OvnCA` rotates the OVN CA while clients poll NB and SB: no failed
 * handshake, the old CA alone works through stage 1, the new one alone after stage 3, and
 * ovn-northd and ovn-controller still answer `ovn-nbctl --wait=hv sync` at the end.
 */
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FleetReport } from '../../../src/lifecycle/fleet-report.js';
import type { RotationState } from '../../../src/lifecycle/rotation-state.js';
import type { CertFact } from '../../../src/modules/lifecycle/fact-types.js';
import { startOvnctl } from '../../helpers/cli-process.js';
import { explain, type OvnDeployment, type RunResult, startDeployment } from '../ovn/harness.js';
import { type ClientCert, serialOf, splitCerts, stage1, type Verdict, verify } from './probe.js';
import { readLog } from './security-log.js';
import type { Endpoint } from './setup.js';

let d: OvnDeployment;
const CA = 'OvnCA';
const timings: Record<string, number> = {};

const central = () => d.names[0] as string;
const chassis = () => d.names[1] as string;
const address = (i: number) => d.rig.hosts[i]?.address as string;
const store = (...parts: string[]) => join(d.configDir, 'pki', ...parts);
const rootCa = () => readFileSync(store('roots', CA, 'certs', `${CA}.crt`));
const trustFile = () => store('roots', CA, 'certs', `${CA}-trust.crt`);
const hostFile = (i: number, name: string) => d.file(i, join('etc/ovn/pki', name));
const serialIn = (file: string) => serialOf(readFileSync(file));
const endpoints = (): Endpoint[] => [
  { label: 'NB', address: address(0), port: 6641 },
  { label: 'SB', address: address(0), port: 6642 },
];
const stateFile = () => join(d.configDir, '.ovnctl', 'ca-rotation.json');
const state = (): RotationState | null =>
  existsSync(stateFile()) ? (JSON.parse(readFileSync(stateFile(), 'utf8')) as RotationState) : null;
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every certificate file on the hosts, by host and file name, with its serial. */
function hostSerials(): Record<string, string> {
  const files: [number, string][] = [
    [0, 'ovnnb-cert.pem'],
    [0, 'ovnsb-cert.pem'],
    [0, 'ovn-northd-cert.pem'],
    [0, 'client-cert.pem'],
    [1, 'ovn-controller-cert.pem'],
    [1, 'client-cert.pem'],
  ];
  return Object.fromEntries(files.map(([i, f]) => [`${d.names[i]}:${f}`, serialIn(hostFile(i, f))]));
}

function mustSucceed(r: RunResult): RunResult {
  if (r.code !== 0) throw new Error(explain(r));
  return r;
}

async function listJson(extra: string[] = []): Promise<{ code: number | null; report: FleetReport }> {
  const r = await d.cli(['certificates', 'list', '--output', 'json', ...extra]);
  try {
    return { code: r.code, report: JSON.parse(r.stdout) as FleetReport };
  } catch {
    throw new Error(`list printed no JSON (exit ${r.code}):\n${r.stdout}\n${r.stderr}`);
  }
}

function certsOf(report: FleetReport, host: string, service: string): CertFact[] {
  return report.hosts[host]?.sections.find((s) => s.service === service)?.certificates ?? [];
}

/** A client certificate and key that pair, read from files a run may be replacing one after the other. */
async function pairedClient(certFile: string, keyFile: string): Promise<ClientCert> {
  for (let attempt = 0; ; attempt++) {
    const cert = readFileSync(certFile);
    const key = readFileSync(keyFile);
    if (new X509Certificate(cert).checkPrivateKey(createPrivateKey(key))) return { cert, key };
    if (attempt > 50) throw new Error(`${certFile} and ${keyFile} do not pair`);
    await sleep(20);
  }
}

/** The central host's client certificate as the PKI store holds it now. */
const storeClient = () => {
  const name = `ovn_client_${central()}`;
  return pairedClient(store('certs', 'certs', `${name}.crt`), store('certs', 'private', `${name}.key.pem`));
};

beforeAll(async () => {
  let t = Date.now();
  d = await startDeployment({ net: 6, baseOctet: 10, namePrefix: 'lcovn', chassis: 1 });
  timings.deployment = Date.now() - t;
  t = Date.now();
  mustSucceed(await d.run());
  timings.install = Date.now() - t;
}, 240_000);

afterAll(async () => {
  await d?.stop();
  process.stderr.write(`OVN lifecycle timings (ms): ${JSON.stringify(timings)}\n`);
});

interface Attempt {
  endpoint: string;
  before: string;
  after: string;
  /** The PKI store's current client certificate, trusting the old root and whatever the trust bundle added. */
  current: Verdict;
  /** The client certificate from before the rotation, trusting the old root only. */
  oldOnly: Verdict;
}

async function pollWhile(running: () => boolean, oldRoot: Buffer, oldClient: ClientCert): Promise<Attempt[]> {
  const trusted: Buffer[] = [oldRoot];
  const attempts: Attempt[] = [];
  const deadline = Date.now() + 300_000;
  while (running() && Date.now() < deadline) {
    if (existsSync(trustFile())) {
      for (const c of splitCerts(readFileSync(trustFile(), 'utf8')))
        if (!trusted.some((t) => t.equals(c))) trusted.push(c);
    }
    const client = await storeClient();
    for (const ep of endpoints()) {
      const before = state()?.next ?? 'none';
      const current = await verify(ep, trusted, 3000, client);
      const oldOnly = await verify(ep, [oldRoot], 3000, oldClient);
      attempts.push({ endpoint: ep.label, before, after: state()?.next ?? 'none', current, oldOnly });
    }
    await sleep(100);
  }
  return attempts;
}

describe('ovnctl certificates with OVN', () => {
  it('list reports every OVN certificate per host, what NB and SB serve, and the OVN CA alone', async () => {
    const { code, report } = await listJson();
    expect(code, JSON.stringify(report.hosts, null, 2)).toBe(0);
    const mine = certsOf(report, central(), 'ovn');
    expect(mine.map((c) => c.name).sort()).toEqual(
      ['client', 'ovn-northd', 'ovnnb', 'ovnsb'].map((s) => `ovn_${s}_${central()}`),
    );
    for (const c of mine) {
      expect(c, c.name).toMatchObject({ status: 'ok', key_matches: true, issued_by: 'current' });
      expect(c.chain_ok, c.name).not.toBe(false);
      expect(c.days_left).toBeGreaterThanOrEqual(729);
      expect(c.files.every((f) => f.present)).toBe(true);
    }
    const nb = mine.find((c) => c.name === `ovn_ovnnb_${central()}`);
    const sb = mine.find((c) => c.name === `ovn_ovnsb_${central()}`);
    expect(nb?.serial).toBe(serialIn(hostFile(0, 'ovnnb-cert.pem')));
    expect(nb?.endpoints.map((e) => [e.label, e.port, e.serves])).toEqual([['NB', 6641, true]]);
    expect(sb?.endpoints.map((e) => [e.label, e.port, e.serves])).toEqual([['SB', 6642, true]]);
    // The CA file on the host belongs to the client certificate (every host has one).
    const client = mine.find((c) => c.name === `ovn_client_${central()}`);
    expect(client?.files.map((f) => f.path)).toContain('/etc/ovn/pki/cacert.pem');
    expect(
      certsOf(report, chassis(), 'ovn')
        .map((c) => c.name)
        .sort(),
    ).toEqual([`ovn_client_${chassis()}`, `ovn_ovn-controller_${chassis()}`]);
    // An OVN-only fleet: the OVN CA is listed; certificate-authority.yml's CAs are not (none exist).
    const sections = Object.values(report.hosts).flatMap((h) => h.sections.map((s) => s.service));
    expect(sections).not.toContain('ca');
    const cas = Object.values(report.hosts).flatMap((h) =>
      h.sections.filter((s) => s.service === 'ovn-ca').flatMap((s) => s.certificates),
    );
    expect(cas.map((c) => [c.name, c.kind, c.status, c.serial])).toEqual([
      [CA, 'ca', 'ok', serialOf(rootCa())],
    ]);
    expect(existsSync(store('roots', 'ExampleCorpRoot'))).toBe(false);

    const text = await d.cli(['certificates', 'list']);
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('OVN certificate authority (PKI store)');
    expect(text.stdout).toContain(`served on ${address(0)}:6642: yes`);
  });

  it('reissue ovnsb changes the SB certificate alone, and SB serves it; a part on a host without it is refused', async () => {
    const before = hostSerials();
    mustSucceed(await d.cli(['certificates', 'reissue', 'ovnsb']));
    const after = hostSerials();
    const changed = Object.keys(after).filter((k) => after[k] !== before[k]);
    expect(changed).toEqual([`${central()}:ovnsb-cert.pem`]);
    const { report } = await listJson();
    const sb = certsOf(report, central(), 'ovn').find((c) => c.name === `ovn_ovnsb_${central()}`);
    expect(sb?.endpoints[0]).toMatchObject({
      serves: true,
      served_serial: after[`${central()}:ovnsb-cert.pem`],
    });

    const refused = await d.cli(['certificates', 'reissue', 'ovn-controller', '-l', central()]);
    expect(refused.code).toBe(5);
    expect(refused.stderr).toContain(
      `ovn-controller is not deployed on ${central()} (not in group ovn_chassis)`,
    );
    expect(hostSerials()).toEqual(after);
  });

  it('a certificate made with a short ttl is flagged by list, and renew reissues exactly that one', async () => {
    mustSucceed(
      await d.run(['-e', 'ovn_pki_cert_ttl=5d', '-e', 'ovn_pki_regen_cert=ovn-controller', '-l', chassis()]),
    );
    const { code, report } = await listJson();
    expect(code).toBe(2);
    const flagged = Object.entries(report.hosts).flatMap(([h, r]) =>
      r.sections.flatMap((s) =>
        s.certificates.filter((c) => c.status !== 'ok').map((c) => [h, c.name, c.status]),
      ),
    );
    expect(flagged).toEqual([[chassis(), `ovn_ovn-controller_${chassis()}`, 'renew']]);
    const short = certsOf(report, chassis(), 'ovn').find((c) => c.name.startsWith('ovn_ovn-controller'));
    expect(short?.days_left).toBeGreaterThanOrEqual(4);
    expect(short?.days_left).toBeLessThanOrEqual(5);

    const before = hostSerials();
    const mark = readLog(d.configDir).length;
    mustSucceed(await d.cli(['certificates', 'renew']));
    const after = hostSerials();
    expect(Object.keys(after).filter((k) => after[k] !== before[k])).toEqual([
      `${chassis()}:ovn-controller-cert.pem`,
    ]);
    const issued = readLog(d.configDir)
      .slice(mark)
      .filter((e) => e.action === 'issue_certificate');
    expect(issued.map((e) => [e.service, e.host, e.certificate, e.auto_renew])).toEqual([
      ['ovn', chassis(), `ovn_ovn-controller_${chassis()}`, true],
    ]);
    expect((await listJson()).code).toBe(0);
  });

  it('regenerate-ca --ca OvnCA rotates the OVN CA with no failed handshake on NB and SB', async () => {
    const oldRoot = rootCa();
    const oldClient = await storeClient();
    const mark = readLog(d.configDir).length;
    const started = Date.now();
    const p = startOvnctl(['certificates', 'regenerate-ca', '--ca', CA, '-i', 'inventory.yml'], {
      cwd: d.configDir,
    });
    let running = true;
    const ended = p.exited(300_000).finally(() => {
      running = false;
    });
    const attempts = await pollWhile(() => running, oldRoot, oldClient);
    const exit = await ended;
    timings.rotation = Date.now() - started;
    expect(exit.code, `${p.stdout()}\n${p.stderr()}`).toBe(0);

    expect(attempts.filter((a) => !a.current.ok)).toEqual([]);
    const phases = new Set(attempts.map((a) => a.before));
    for (const s of ['trust', 'reissue', 'cleanup']) expect(phases, `polled during ${s}`).toContain(s);
    const early = stage1(attempts);
    expect(early.length).toBeGreaterThanOrEqual(2);
    expect(early.filter((a) => !a.oldOnly.ok)).toEqual([]);

    const newRoot = rootCa();
    expect(serialOf(newRoot)).not.toBe(serialOf(oldRoot));
    const newClient = await storeClient();
    for (const ep of endpoints()) {
      expect((await verify(ep, [newRoot], 3000, newClient)).ok, `${ep.label} with the new CA`).toBe(true);
      expect((await verify(ep, [oldRoot], 3000, newClient)).ok, `${ep.label} with the old CA`).toBe(false);
      // The servers dropped the old CA too: the old client certificate is refused.
      const old = await verify(ep, [newRoot], 3000, oldClient);
      expect(old.ok, `${ep.label} accepted a client of the old CA`).toBe(false);
    }
    // Every host's CA file holds the new root alone, and every leaf on the hosts is signed by it.
    for (const i of [0, 1]) {
      expect(splitCerts(readFileSync(hostFile(i, 'cacert.pem'), 'utf8')).map((c) => serialOf(c))).toEqual([
        serialOf(newRoot),
      ]);
    }
    const root = new X509Certificate(newRoot);
    for (const [k] of Object.entries(hostSerials())) {
      const [host, file] = k.split(':') as [string, string];
      const leaf = new X509Certificate(readFileSync(hostFile(d.names.indexOf(host), file)));
      expect(leaf.verify(root.publicKey), k).toBe(true);
    }
    // ovn-northd and ovn-controller work with the new certificates: every chassis catches up.
    const sync = await d.central.nbctl(['--timeout=30', '--wait=hv', 'sync']);
    expect(sync.code, sync.stderr).toBe(0);

    const s = state();
    expect(s?.next).toBe('done');
    expect(s?.cas).toEqual([CA]);
    for (const h of d.names) expect(s?.hosts[h]).toEqual({ trust: 'ok', reissue: 'ok', cleanup: 'ok' });
    const backup = readdirSync(store('roots', CA, 'certs')).find(
      (f) => f.startsWith(`${CA}.crt.`) && f.endsWith('~'),
    );
    expect(backup && readFileSync(store('roots', CA, 'certs', backup)).equals(oldRoot)).toBe(true);
    expect(existsSync(trustFile())).toBe(false);
    // certificate-authority.yml never ran: an OVN-only fleet has no other CA.
    expect(existsSync(store('roots', 'ExampleCorpRoot'))).toBe(false);

    const events = readLog(d.configDir).slice(mark);
    expect(events.filter((e) => e.category === 'AUTHZ').map((e) => [e.action, e.ca])).toEqual([
      ['regenerate_ca', CA],
    ]);
    expect(
      events
        .filter((e) => e.action === 'issue_certificate')
        .map((e) => `${e.service} ${e.host}`)
        .sort(),
    ).toEqual([...Array(4).fill(`ovn ${central()}`), ...Array(2).fill(`ovn ${chassis()}`)].sort());
    expect(readFileSync(join(d.configDir, '.ovnctl', 'security.log'), 'utf8')).not.toContain('BEGIN');
    process.stderr.write(
      `OVN rotation: ${attempts.length} polled handshakes, phases ${[...phases].join(',')}\n`,
    );
  });
});
