/**
 * Clustered (raft) NB/SB: ovn-install.yml detects the cluster, warns about (or with
 * ovn_db_cluster_require_ssl refuses) raft members on tcp, and puts raft-over-ssl plus the
 * database certificates into OVN_CTL_OPTS for the members' next start. One-member clusters:
 * rig hosts share a network namespace, so several members could not bind the shared listeners.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { runInHost } from '../../services/ovn.js';
import { changedTasks, explain, type OvnDeployment, startDeployment, taskResult } from './harness.js';

const deployments: OvnDeployment[] = [];
const PKI = '/etc/ovn/pki';

afterAll(async () => {
  for (const d of deployments) await d.stop();
});

async function deploy(cluster: 'tcp' | 'ssl', baseOctet: number): Promise<OvnDeployment> {
  const d = await startDeployment({ baseOctet, namePrefix: `ovnraft${cluster}`, chassis: 1, cluster });
  deployments.push(d);
  return d;
}

describe('ovn-install.yml on clustered databases', () => {
  it('warns about a tcp raft, refuses it when asked to, and writes the raft ssl options', async () => {
    const d = await deploy('tcp', 130);
    const central = d.names[0] as string;
    const strict = await d.run(['-e', 'ovn_db_cluster_require_ssl=true']);
    expect(strict.code).toBe(2);
    expect(String(taskResult(strict, 'Raft status of the Northbound database', central)?.msg)).toMatch(
      /OVN_Northbound raft members talk without TLS: tcp:127\.0\.0\.131:6643/,
    );

    const r = await d.run();
    expect(r.code, explain(r)).toBe(0);
    const status = taskResult(r, 'Raft status of the Southbound database', central);
    expect(status).toMatchObject({ clustered: true, plaintext_members: ['tcp:127.0.0.131:6644'] });
    expect(JSON.stringify(status?.warnings)).toMatch(/rejoin each member/);
    const opts = (await runInHost(d.rig, 0, ['cat', '/etc/default/ovn-central'])).stdout;
    for (const o of [
      '--db-nb-cluster-local-proto=ssl',
      '--db-sb-cluster-remote-proto=ssl',
      `--ovn-sb-db-ssl-key=${PKI}/ovnsb-privkey.pem`,
      `--ovn-nb-db-ssl-cert=${PKI}/ovnnb-cert.pem`,
      `--ovn-northd-ssl-key=${PKI}/ovn-northd-privkey.pem`,
    ]) {
      expect(opts).toContain(o);
    }
    const told = taskResult(
      r,
      'Say that the NB/SB databases use the new options at their next restart',
      central,
    );
    expect(String(told?.msg)).toMatch(/use it at their next restart/);
    // TLS on the clustered databases works like on standalone ones.
    expect((await d.central.sbctl(['--format=json', '--columns=name', 'list', 'Chassis'])).stdout).toContain(
      d.names[1],
    );
    const again = await d.run();
    expect(changedTasks(again)).toEqual([]);
  });

  it('is quiet about a raft that already uses ssl', async () => {
    const d = await deploy('ssl', 135);
    const r = await d.run(['-e', 'ovn_db_cluster_require_ssl=true']);
    expect(r.code, explain(r)).toBe(0);
    const status = taskResult(r, 'Raft status of the Southbound database', d.names[0] as string);
    expect(status).toMatchObject({ clustered: true, address: 'ssl:127.0.0.136:6644', plaintext_members: [] });
    expect(status?.warnings ?? []).toEqual([]);
  });
});
