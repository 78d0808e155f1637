import { describe, expect, it } from 'vitest';
import { ovnChassisModule } from '../../../src/modules/ovn/chassis.js';
import { FakeHost, jsonTable, planContext } from './fake-host.js';

const PKI = '/etc/ovn/pki';
const files = {
  [`${PKI}/ovn-controller-privkey.pem`]: { content: 'k' },
  [`${PKI}/ovn-controller-cert.pem`]: { content: 'c' },
  [`${PKI}/cacert.pem`]: { content: 'ca' },
};
const ssl = {
  private_key: `${PKI}/ovn-controller-privkey.pem`,
  certificate: `${PKI}/ovn-controller-cert.pem`,
  ca_cert: `${PKI}/cacert.pem`,
};

function host(sslRows: unknown[][], ids: [string, string][], other: [string, string][] = [], rows = 1) {
  const ovs =
    rows === 0
      ? []
      : [
          [
            ['map', ids],
            ['map', other],
          ],
        ];
  return new FakeHost('compute1', {
    files,
    answer: (cmd) =>
      cmd.startsWith('ovs-vsctl ') && cmd.includes('list SSL') && cmd.includes('list Open_vSwitch')
        ? {
            stdout: `${jsonTable(['private_key', 'certificate', 'ca_cert'], sslRows)}\n${jsonTable(['external_ids', 'other_config'], ovs)}`,
          }
        : undefined,
  });
}

const commandOf = (plan: { steps: { kind: string; command?: string }[] }) =>
  plan.steps.map((s) => s.command ?? '').join('\n');

describe('ovn_chassis', () => {
  it('keeps an existing system-id (the chassis identity) and sets ssl and the remote', async () => {
    const h = host(
      [],
      [
        ['system-id', '4c1d-uuid'],
        ['hostname', 'compute1'],
      ],
    );
    const plan = await ovnChassisModule.plan(
      {
        ssl,
        external_ids: { 'ovn-remote': 'ssl:10.0.0.1:6642' },
        external_ids_default: { 'system-id': 'compute1' },
      },
      planContext(h),
    );
    expect(plan.failed).toBeUndefined();
    const command = commandOf(plan);
    expect(command).toMatch(/^ovs-vsctl --db=unix:\/var\/run\/openvswitch\/db.sock --timeout=30 --no-wait /);
    expect(command).toContain(`-- set-ssl ${ssl.private_key} ${ssl.certificate} ${ssl.ca_cert}`);
    expect(command).toContain(`-- set Open_vSwitch . 'external_ids:"ovn-remote"="ssl:10.0.0.1:6642"'`);
    expect(command).not.toContain('system-id');
    expect(plan.result).toMatchObject({
      system_id: '4c1d-uuid',
      external_ids: { 'ovn-remote': 'ssl:10.0.0.1:6642', hostname: 'compute1' },
    });
    expect(plan.warnings).toEqual([]);
  });

  it('sets the default system-id on a fresh switch', async () => {
    const plan = await ovnChassisModule.plan(
      { external_ids_default: { 'system-id': 'compute1' } },
      planContext(host([], [])),
    );
    expect(commandOf(plan)).toContain(`'external_ids:"system-id"="compute1"'`);
    expect(plan.result).toMatchObject({ system_id: 'compute1' });
  });

  it('warns that renaming a chassis leaves its old row behind', async () => {
    const plan = await ovnChassisModule.plan(
      { external_ids: { 'system-id': 'compute1' } },
      planContext(host([], [['system-id', 'old']])),
    );
    expect(plan.warnings?.[0]).toMatch(
      /system-id changes from old to compute1: .* ovn-sbctl chassis-del old/,
    );
  });

  it('plans nothing when everything matches, and removes keys set to null', async () => {
    const h = host(
      [[ssl.private_key, ssl.certificate, ssl.ca_cert]],
      [
        ['system-id', 'compute1'],
        ['ovn-remote', 'ssl:10.0.0.1:6642'],
      ],
      [['certificate', '/x']],
    );
    const same = await ovnChassisModule.plan(
      {
        ssl,
        external_ids: { 'ovn-remote': 'ssl:10.0.0.1:6642', stale: null },
        external_ids_default: { 'system-id': 'other' },
      },
      planContext(h),
    );
    expect(same.steps).toEqual([]);
    const removed = await ovnChassisModule.plan(
      { other_config: { certificate: null, ipsec_skb_mark: null } },
      planContext(h),
    );
    expect(commandOf(removed)).toMatch(/-- remove Open_vSwitch \. other_config '"certificate"'$/);
    expect(removed.result).toMatchObject({ other_config: {} });
  });

  it('writes booleans the way OVS spells them', async () => {
    const plan = await ovnChassisModule.plan(
      { other_config: { 'ipsec-flag': true } },
      planContext(host([], [])),
    );
    expect(commandOf(plan)).toContain(`'other_config:"ipsec-flag"="true"'`);
  });

  it('fails on an uninitialised database and on relative certificate paths', async () => {
    const none = await ovnChassisModule.plan({ external_ids: { a: 'b' } }, planContext(host([], [], [], 0)));
    expect(none.failed).toMatch(/no Open_vSwitch row \(run ovs-vsctl init\)/);
    const rel = await ovnChassisModule.plan(
      { ssl: { ...ssl, certificate: 'cert.pem' } },
      planContext(host([], [])),
    );
    expect(rel.failed).toMatch(/ssl.certificate must be an absolute path/);
  });
});
