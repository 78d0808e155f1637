/**
 * ovn_rbac and ovn_ipsec (MicroOVN has neither) on a real central node and two chassis:
 * SB listeners with role=ovn-controller plus a role-less one for northd, a chassis whose
 * certificate CN differs from its system-id is refused, and IPsec settings reach NB_Global,
 * every chassis and the tunnels. Real ESP/IKE cannot run here (no kernel XFRM, no IKE daemon
 * in the rig): what is checked is the OVS/OVN side that ovs-monitor-ipsec consumes.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CONTROLLER_RESTART_COMMAND, runInHost } from '../../services/ovn.js';
import { changedTasks, explain, type OvnDeployment, startDeployment } from './harness.js';
import { certSubject, certText, jsonRows, mapCell, modeOf } from './inspect.js';

let d: OvnDeployment;
const PKI = '/etc/ovn/pki';
const address = (i: number) => d.rig.hosts[i]?.address as string;

beforeAll(async () => {
  d = await startDeployment({
    baseOctet: 110,
    namePrefix: 'ovnsec',
    chassis: 2,
    userVars: ['ovn_rbac: true', 'ovn_ipsec: true'],
  });
  const r = await d.run();
  if (r.code !== 0) throw new Error(explain(r));
});

afterAll(async () => {
  await d?.stop();
});

async function chassisNames(): Promise<string[]> {
  const out = await d.central.sbctl(['--format=json', '--columns=name', 'list', 'Chassis']);
  return jsonRows(out.stdout)
    .map((r) => String(r.name))
    .sort();
}

describe('ovn-install.yml with ovn_rbac and ovn_ipsec', () => {
  it('gives the chassis listener role=ovn-controller and keeps a role-less one that northd uses', async () => {
    const rows = jsonRows(
      (await d.central.sbctl(['--format=json', '--columns=target,role', 'list', 'Connection'])).stdout,
    );
    expect(rows.map((r) => `${r.target} ${r.role || '-'}`).sort()).toEqual(
      [`pssl:16642:${address(0)} -`, `pssl:6642:${address(0)} ovn-controller`].sort(),
    );
    const cmdline = await runInHost(d.rig, 0, ['cat', `/proc/${d.central.northdPid()}/cmdline`]);
    expect(cmdline.stdout.split('\0')).toContain(`--ovnsb-db=ssl:${address(0)}:16642`);
    // northd can write SB (RBAC would stop it on the ovn-controller listener).
    expect((await d.central.nbctl(['ls-add', 'rbac-probe'])).code).toBe(0);
    const wait = await d.central.sbctl([
      '--timeout=20',
      'wait-until',
      'Datapath_Binding',
      '.',
      'external_ids:name=rbac-probe',
    ]);
    expect(wait.code, wait.stderr).toBe(0);
  });

  it('registers chassis whose certificate CN is their system-id', async () => {
    expect(await chassisNames()).toEqual([d.names[1], d.names[2]].sort());
    for (const i of [1, 2]) {
      expect(await certSubject(d.file(i, `${PKI}/ovn-controller-cert.pem`))).toBe(
        `CN=${d.names[i]},OU=ovn-controller,O=ovnctl`,
      );
    }
  });

  it('puts IPsec in NB_Global and on every chassis, and ovn-controller names tunnel peers', async () => {
    const nb = jsonRows(
      (await d.central.nbctl(['--format=json', '--columns=ipsec,options', 'list', 'NB_Global'])).stdout,
    )[0];
    expect(nb?.ipsec).toBe(true);
    expect(mapCell(nb?.options).ipsec_forceencaps).toBe('false');
    for (const [i, c] of d.chassis.entries()) {
      const host = i + 1;
      const ovs = jsonRows(
        (await c.vsctl(['--format=json', '--columns=other_config', 'list', 'Open_vSwitch'])).stdout,
      )[0];
      const other = mapCell(ovs?.other_config);
      expect(other).toMatchObject({
        certificate: `${PKI}/ovn-ipsec-cert.pem`,
        private_key: `${PKI}/ovn-ipsec-privkey.pem`,
        ca_cert: `${PKI}/cacert.pem`,
      });
      for (const f of [other.certificate, other.private_key, other.ca_cert])
        expect(modeOf(d.file(host, String(f)))).toBe(0o600);
      const peer = d.names[host === 1 ? 2 : 1];
      let tunnels: Record<string, string>[] = [];
      for (let tries = 0; tries < 50; tries++) {
        const rows = jsonRows(
          (await c.vsctl(['--format=json', '--columns=type,options', 'list', 'Interface'])).stdout,
        );
        tunnels = rows.filter((r) => r.type === 'geneve').map((r) => mapCell(r.options));
        if (tunnels.some((t) => t.remote_name === peer)) break;
        await new Promise((r) => setTimeout(r, 200));
      }
      expect(tunnels).toEqual([
        expect.objectContaining({ remote_name: peer, remote_ip: address(host === 1 ? 2 : 1) }),
      ]);
    }
  });

  it('issues IPsec certificates ovs-monitor-ipsec accepts: x509 v3, CN last, SAN DNS = CN, RSA for strongSwan', async () => {
    for (const i of [1, 2]) {
      const file = d.file(i, `${PKI}/ovn-ipsec-cert.pem`);
      const text = await certText(file);
      expect(text).toMatch(/Version: 3 \(0x2\)/);
      expect(text).toMatch(/Public Key Algorithm: rsaEncryption/);
      expect(text).toMatch(/X509v3 Subject Alternative Name: *\n *DNS:([^,\n]+)\n/);
      expect(text.match(/DNS:([^,\n]+)/g)).toEqual([`DNS:${d.names[i]}`]);
      // ovs-monitor-ipsec reads the CN with `CN=(.+?),` on the subject in DN order.
      const { stdout } = await runInHost(d.rig, i, [
        'openssl',
        'x509',
        '-in',
        `${PKI}/ovn-ipsec-cert.pem`,
        '-noout',
        '-subject',
        '-nameopt',
        'compat',
      ]);
      expect(stdout.trim()).toBe(`subject=/O=ovnctl/OU=ipsec/CN=${d.names[i]}`);
      expect(
        `${stdout
          .trim()
          .replace(/^subject=/, '')
          .split('/')
          .filter(Boolean)
          .join(',')},`.match(/CN=(.+?),/)?.[1],
      ).toBe(d.names[i]);
    }
  });

  it('changes nothing on a second run', async () => {
    const again = await d.run();
    expect(again.code, explain(again)).toBe(0);
    expect(changedTasks(again)).toEqual([]);
  });

  it('refuses a chassis whose certificate CN is not its system-id', async () => {
    const c = d.chassis[1];
    if (!c) throw new Error('no chassis 2');
    expect((await c.vsctl(['set', 'Open_vSwitch', '.', 'external_ids:system-id=impostor'])).code).toBe(0);
    const restart = await runInHost(d.rig, c.host, ['sh', '-c', CONTROLLER_RESTART_COMMAND]);
    expect(restart.code, restart.stderr).toBe(0);
    let log = '';
    for (let tries = 0; tries < 50 && !/RBAC rules/.test(log); tries++) {
      await new Promise((r) => setTimeout(r, 200));
      log = (await runInHost(d.rig, c.host, ['cat', '/var/log/ovn/ovn-controller.log'])).stdout;
    }
    expect(log).toMatch(
      new RegExp(
        `RBAC rules for client \\\\?"${d.names[2]}\\\\?" role \\\\?"ovn-controller\\\\?" prohibit row insertion`,
      ),
    );
    expect(await chassisNames()).not.toContain('impostor');
  });
});
