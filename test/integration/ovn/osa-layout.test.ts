/**
 * ovn_pki_layout: osa (OpenStack-Ansible's one neutron_ovn.pem/.key/-ca.pem per host in
 * /etc/openvswitch) with a host that is both central node and chassis, plus one more chassis.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runInHost } from '../../services/ovn.js';
import { changedTasks, explain, type OvnDeployment, startDeployment } from './harness.js';
import { certSubject, certText, hashTree, jsonRows, modeOf } from './inspect.js';

let d: OvnDeployment;
const DIR = '/etc/openvswitch';
const address = (i: number) => d.rig.hosts[i]?.address as string;

beforeAll(async () => {
  d = await startDeployment({
    baseOctet: 120,
    namePrefix: 'ovnosa',
    chassis: 1,
    centralAlsoChassis: true,
    systemIds: ['osa-compute'],
    userVars: ['ovn_pki_layout: osa', 'ovn_rbac: true'],
  });
});

afterAll(async () => {
  await d?.stop();
});

describe('ovn-install.yml with the OSA file layout', () => {
  it('installs one certificate per host and every daemon uses it', async () => {
    const r = await d.run();
    expect(r.code, explain(r)).toBe(0);
    for (const i of [0, 1]) {
      const pki = Object.keys(hashTree(d.file(i, DIR))).filter((f) => f.startsWith('neutron_ovn'));
      expect(pki.sort()).toEqual(['neutron_ovn-ca.pem', 'neutron_ovn.key', 'neutron_ovn.pem']);
      for (const f of pki) expect(modeOf(d.file(i, `${DIR}/${f}`))).toBe(0o600);
      // ovnctl does not own /etc/openvswitch: its mode is left alone.
      expect(modeOf(d.file(i, DIR))).toBe(0o755);
      expect(await certText(d.file(i, `${DIR}/neutron_ovn.pem`))).toMatch(
        /TLS Web Server Authentication, TLS Web Client Authentication/,
      );
    }
    // On chassis the one certificate names the chassis (RBAC checks it), central or not.
    expect(await certSubject(d.file(0, `${DIR}/neutron_ovn.pem`))).toBe(`CN=${d.names[0]},OU=OVN,O=ovnctl`);
    expect(await certSubject(d.file(1, `${DIR}/neutron_ovn.pem`))).toBe('CN=osa-compute,OU=OVN,O=ovnctl');
    expect((await d.central.sbctl(['get-ssl'])).stdout).toContain(`Certificate: ${DIR}/neutron_ovn.pem`);
    expect((await d.central.nbctl(['get-ssl'])).stdout).toContain(`Private key: ${DIR}/neutron_ovn.key`);
    const opts = await runInHost(d.rig, 0, ['cat', '/etc/default/ovn-central']);
    expect(opts.stdout).toContain(`--ovn-northd-ssl-cert=${DIR}/neutron_ovn.pem`);
    expect(opts.stdout).toContain(`--ovn-northd-ssl-ca-cert=${DIR}/neutron_ovn-ca.pem`);
    for (const c of d.chassis)
      expect((await c.vsctl(['get-ssl'])).stdout).toContain(`Private key: ${DIR}/neutron_ovn.key`);
    const names = jsonRows(
      (await d.central.sbctl(['--format=json', '--columns=name', 'list', 'Chassis'])).stdout,
    ).map((x) => x.name);
    expect(names.sort()).toEqual([d.names[0], 'osa-compute'].sort());
    const ok = await runInHost(d.rig, 1, [
      'ovn-sbctl',
      `--db=ssl:${address(0)}:6642`,
      `--private-key=${DIR}/neutron_ovn.key`,
      `--certificate=${DIR}/neutron_ovn.pem`,
      `--ca-cert=${DIR}/neutron_ovn-ca.pem`,
      '--timeout=5',
      'get-connection',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
  });

  it('changes nothing on a second run (the central and chassis plays agree on the one certificate)', async () => {
    const again = await d.run();
    expect(again.code, explain(again)).toBe(0);
    expect(changedTasks(again)).toEqual([]);
  });

  it('reissues the host certificate for any of its services, restarting both daemons of that host', async () => {
    const northd = d.central.northdPid();
    const controllers = d.chassis.map((c) => c.controllerPid());
    const r = await d.run(['-e', 'ovn_pki_regen_cert=ovnsb']);
    expect(r.code, explain(r)).toBe(0);
    expect(changedTasks(r)).toEqual(
      expect.arrayContaining([`${d.names[0]}: restart ovn-northd`, `${d.names[0]}: restart ovn-controller`]),
    );
    expect(changedTasks(r).filter((t) => t.startsWith(`${d.names[1]}:`))).toEqual([]);
    expect(d.central.northdPid()).not.toBe(northd);
    // d.chassis[0] is the central host's own chassis, d.chassis[1] the other host.
    const [own, other] = d.chassis.map((c) => c.controllerPid());
    expect(own).not.toBe(controllers[0]);
    expect(other).toBe(controllers[1]);
  });
});
