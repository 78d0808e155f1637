/**
 * ovn-install.yml with its defaults against a real central node (NB + SB ovsdb-server,
 * ovn-northd) and two chassis (ovsdb-server, ovs-vswitchd with the userspace datapath,
 * ovn-controller) from Debian's packages, over SSH: check mode changes nothing, the run puts
 * everything on TLS with MicroOVN's file layout, a second run changes nothing, a regen of
 * ovnsb changes only what SB serves.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInHost, sharedNamespaceDevices } from '../../services/ovn.js';
import {
  changedTasks,
  explain,
  type OvnDeployment,
  type RunResult,
  startDeployment,
  taskResult,
  totalChanged,
} from './harness.js';
import {
  certSerial,
  certSubject,
  certText,
  foreignClient,
  hashTree,
  jsonRows,
  mapCell,
  modeOf,
} from './inspect.js';

let d: OvnDeployment;
let first: RunResult;
let devicesBefore: string[];
let scratch: string;
const PKI = '/etc/ovn/pki';

beforeAll(async () => {
  devicesBefore = await sharedNamespaceDevices();
  scratch = await mkdtemp(join(tmpdir(), 'ovnctl-ovn-tls-'));
  d = await startDeployment({
    baseOctet: 100,
    namePrefix: 'ovntls',
    chassis: 2,
    systemIds: ['chassis-a', undefined],
  });
});

afterAll(async () => {
  await d?.stop();
  await rm(scratch, { recursive: true, force: true });
  // ovs-vswitchd ran in namespaces of its own: no tap device may be left in the shared one.
  const after = await sharedNamespaceDevices();
  expect(after.filter((n) => !devicesBefore.includes(n))).toEqual([]);
});

const central = () => d.names[0] as string;
const address = (i: number) => d.rig.hosts[i]?.address as string;

/** ovn-sbctl/ovn-nbctl from inside the central host over SSL with the given files. */
function sslCtl(
  program: 'ovn-nbctl' | 'ovn-sbctl',
  port: number,
  files: { key: string; cert: string; ca: string },
) {
  return runInHost(d.rig, 0, [
    program,
    `--db=ssl:${address(0)}:${port}`,
    `--private-key=${files.key}`,
    `--certificate=${files.cert}`,
    `--ca-cert=${files.ca}`,
    '--timeout=5',
    'get-connection',
  ]);
}

describe('ovn-install.yml with defaults', () => {
  it('in check mode reports changes and makes none', async () => {
    const r = await d.run(['--check']);
    expect(r.code, explain(r)).toBe(0);
    expect(totalChanged(r)).toBeGreaterThan(0);
    const ssl = await d.central.sbctl(['get-ssl']);
    expect(ssl.stdout.trim()).toBe('');
    const conn = await d.central.sbctl(['get-connection']);
    expect(conn.stdout.trim()).toBe('');
  });

  it('puts NB, SB, northd and the chassis on TLS', async () => {
    first = await d.run();
    expect(first.code, explain(first)).toBe(0);
    expect(changedTasks(first)).toContain(`${central()}: restart ovn-northd`);
  });

  it('lays files out as MicroOVN does: 0600 files in a 0700 directory, per service', async () => {
    const centralFiles = ['cacert.pem', 'ovnnb', 'ovnsb', 'ovn-northd', 'client'];
    expect(modeOf(d.file(0, PKI))).toBe(0o700);
    for (const f of centralFiles.flatMap((s) =>
      s.endsWith('.pem') ? [s] : [`${s}-cert.pem`, `${s}-privkey.pem`],
    )) {
      expect(modeOf(d.file(0, `${PKI}/${f}`)), f).toBe(0o600);
    }
    for (const i of [1, 2]) {
      const names = Object.keys(hashTree(d.file(i, PKI))).sort();
      expect(names).toEqual([
        'cacert.pem',
        'client-cert.pem',
        'client-privkey.pem',
        'ovn-controller-cert.pem',
        'ovn-controller-privkey.pem',
      ]);
      expect(modeOf(d.file(i, PKI))).toBe(0o700);
    }
  });

  it('issues ECDSA P-384 leaves with both EKUs from a CA of their own', async () => {
    const text = await certText(d.file(0, `${PKI}/ovnsb-cert.pem`));
    expect(text).toMatch(/Public Key Algorithm: id-ecPublicKey/);
    expect(text).toMatch(/NIST CURVE: P-384/);
    expect(text).toMatch(/ecdsa-with-SHA384/);
    expect(text).toMatch(/TLS Web Server Authentication, TLS Web Client Authentication/);
    expect(await certSubject(d.file(0, `${PKI}/ovnsb-cert.pem`))).toBe(`CN=${central()},OU=ovnsb,O=ovnctl`);
    expect(await certSubject(d.file(0, `${PKI}/cacert.pem`))).toBe('CN=OVN CA,OU=OVN CA,O=ovnctl');
    // A chassis certificate names the chassis (an existing system-id is kept).
    expect(await certSubject(d.file(1, `${PKI}/ovn-controller-cert.pem`))).toBe(
      'CN=chassis-a,OU=ovn-controller,O=ovnctl',
    );
    expect(await certSubject(d.file(2, `${PKI}/ovn-controller-cert.pem`))).toBe(
      `CN=${d.names[2]},OU=ovn-controller,O=ovnctl`,
    );
  });

  it('configures the databases through their ctl: SSL files and pssl listeners', async () => {
    const ssl = await d.central.sbctl(['get-ssl']);
    expect(ssl.stdout).toContain(`Private key: ${PKI}/ovnsb-privkey.pem`);
    expect(ssl.stdout).toContain(`CA Certificate: ${PKI}/cacert.pem`);
    expect((await d.central.sbctl(['get-connection'])).stdout.trim()).toBe(
      `read-write role="" pssl:6642:${address(0)}`,
    );
    expect((await d.central.nbctl(['get-connection'])).stdout.trim()).toBe(`pssl:6641:${address(0)}`);
  });

  it('accepts the issued client certificate and refuses one from another CA', async () => {
    const ours = {
      key: `${PKI}/client-privkey.pem`,
      cert: `${PKI}/client-cert.pem`,
      ca: `${PKI}/cacert.pem`,
    };
    for (const [program, port] of [
      ['ovn-nbctl', 6641],
      ['ovn-sbctl', 6642],
    ] as const) {
      const ok = await sslCtl(program, port, ours);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`pssl:${port}:${address(0)}`);
    }
    const foreign = await foreignClient(scratch);
    const refused = await sslCtl('ovn-sbctl', 6642, { key: foreign.key, cert: foreign.cert, ca: ours.ca });
    expect(refused.code).not.toBe(0);
    expect(refused.stdout).not.toContain('pssl:6642');
    const log = await runInHost(d.rig, 0, ['cat', '/var/log/ovn/ovsdb-server-sb.log']);
    expect(log.stdout).toMatch(/certificate verify failed|unknown ca/i);
  });

  it('restarts ovn-northd on ssl: remotes with its own certificate, and northd translates NB into SB', async () => {
    const opts = await runInHost(d.rig, 0, ['cat', '/etc/default/ovn-central']);
    expect(opts.stdout).toContain(`--ovn-northd-nb-db=ssl:${address(0)}:6641`);
    expect(opts.stdout).toContain(`--ovn-northd-sb-db=ssl:${address(0)}:6642`);
    expect(opts.stdout).toContain(`--ovn-northd-ssl-cert=${PKI}/ovn-northd-cert.pem`);
    const cmdline = await runInHost(d.rig, 0, ['cat', `/proc/${d.central.northdPid()}/cmdline`]);
    expect(cmdline.stdout.split('\0')).toEqual(
      expect.arrayContaining([
        `--ovnsb-db=ssl:${address(0)}:6642`,
        `--certificate=${PKI}/ovn-northd-cert.pem`,
      ]),
    );
    expect((await d.central.nbctl(['ls-add', 'tls-probe'])).code).toBe(0);
    const wait = await d.central.sbctl([
      '--timeout=20',
      'wait-until',
      'Datapath_Binding',
      '.',
      'external_ids:name=tls-probe',
    ]);
    expect(wait.code, wait.stderr).toBe(0);
    await d.central.nbctl(['ls-del', 'tls-probe']);
  });

  it('registers both chassis over SSL with ovs-vsctl set-ssl and an ssl: ovn-remote', async () => {
    const names = jsonRows(
      (await d.central.sbctl(['--format=json', '--columns=name', 'list', 'Chassis'])).stdout,
    ).map((r) => r.name);
    expect(names.sort()).toEqual(['chassis-a', d.names[2]].sort());
    for (const c of d.chassis) {
      const ssl = await c.vsctl(['get-ssl']);
      expect(ssl.stdout).toContain(`Certificate: ${PKI}/ovn-controller-cert.pem`);
      const ovs = jsonRows(
        (await c.vsctl(['--format=json', '--columns=external_ids', 'list', 'Open_vSwitch'])).stdout,
      )[0];
      expect(mapCell(ovs?.external_ids)['ovn-remote']).toBe(`ssl:${address(0)}:6642`);
      // The userspace datapath's devices exist, in ovs-vswitchd's own namespace.
      expect(await c.devices()).toEqual(expect.arrayContaining(['br-int']));
    }
  });

  it('changes nothing on a second run', async () => {
    const again = await d.run();
    expect(again.code, explain(again)).toBe(0);
    expect(changedTasks(again)).toEqual([]);
  });

  it('with ovn_pki_regen_cert=ovnsb changes only the certificate SB serves', async () => {
    const trees = [0, 1, 2].map((i) => hashTree(d.file(i, PKI)));
    const pids = { northd: d.central.northdPid(), controllers: d.chassis.map((c) => c.controllerPid()) };
    const served = (r: RunResult, task: string) => taskResult(r, task, central())?.serial;
    const before = {
      nb: served(first, 'Northbound serves the issued certificate'),
      sb: served(first, 'Southbound serves the issued certificate'),
    };
    expect(before.sb).toBe(await certSerial(d.file(0, `${PKI}/ovnsb-cert.pem`)));

    const regen = await d.run(['-e', 'ovn_pki_regen_cert=ovnsb']);
    expect(regen.code, explain(regen)).toBe(0);
    expect(changedTasks(regen).sort()).toEqual(
      [
        `${central()}: Issue OVN certificates`,
        `${central()}: Install the OVN client and database certificates`,
        // ovsdb-server reloads its certificate only when the key file changes too.
        `${central()}: ovsdb-server rereads its certificate`,
      ].sort(),
    );
    const after = {
      nb: served(regen, 'Northbound serves the issued certificate'),
      sb: served(regen, 'Southbound serves the issued certificate'),
    };
    expect(after.nb).toBe(before.nb);
    expect(after.sb).not.toBe(before.sb);
    expect(after.sb).toBe(await certSerial(d.file(0, `${PKI}/ovnsb-cert.pem`)));
    const changed = [0, 1, 2].flatMap((i) => {
      const now = hashTree(d.file(i, PKI));
      return Object.keys(now)
        .filter((f) => now[f] !== trees[i]?.[f])
        .map((f) => `${i}:${f}`);
    });
    expect(changed.sort()).toEqual(['0:ovnsb-cert.pem', '0:ovnsb-privkey.pem']);
    expect(d.central.northdPid()).toBe(pids.northd);
    expect(d.chassis.map((c) => c.controllerPid())).toEqual(pids.controllers);

    const settled = await d.run();
    expect(settled.code, explain(settled)).toBe(0);
    expect(totalChanged(settled)).toBe(0);
  });
});
