import { describe, expect, it } from 'vitest';
import type { DbTlsParams } from '../../../src/modules/ovn/db-tls.js';
import { ovnDbTlsModule } from '../../../src/modules/ovn/db-tls.js';
import { FakeHost, jsonTable, planContext } from './fake-host.js';

const PKI = '/etc/ovn/pki';
const files = {
  [`${PKI}/ovnsb-privkey.pem`]: { content: 'k', mode: 0o600 },
  [`${PKI}/ovnsb-cert.pem`]: { content: 'c', mode: 0o600 },
  [`${PKI}/cacert.pem`]: { content: 'ca', mode: 0o600 },
};
const SSL_HEAD = ['private_key', 'certificate', 'ca_cert', 'ssl_protocols', 'ssl_ciphers'];
const CONN_HEAD = ['target', 'role', 'read_only', 'inactivity_probe'];

const params: DbTlsParams = {
  db: 'sb',
  private_key: `${PKI}/ovnsb-privkey.pem`,
  certificate: `${PKI}/ovnsb-cert.pem`,
  ca_cert: `${PKI}/cacert.pem`,
  listeners: [
    { target: 'pssl:6642:10.0.0.1', role: 'ovn-controller', inactivity_probe: 60000 },
    { target: 'pssl:16642:10.0.0.1', inactivity_probe: 60000 },
  ],
};

function host(ssl: unknown[][], conns: unknown[][], extra: Record<string, { content?: string }> = files) {
  return new FakeHost('central1', {
    files: extra,
    answer: (cmd) =>
      cmd.includes('list SSL') && cmd.includes('list Connection')
        ? { stdout: `${jsonTable(SSL_HEAD, ssl)}\n${jsonTable(CONN_HEAD, conns)}\n` }
        : undefined,
  });
}

const configured = [[`${PKI}/ovnsb-privkey.pem`, `${PKI}/ovnsb-cert.pem`, `${PKI}/cacert.pem`, '', '']];

describe('ovn_db_tls', () => {
  it('on a database without TLS sets files and listeners in one ovn-sbctl transaction', async () => {
    const h = host([], []);
    const plan = await ovnDbTlsModule.plan(params, planContext(h));
    expect(plan.failed).toBeUndefined();
    expect(h.queries).toHaveLength(1);
    expect(h.queries[0]).toMatch(
      /^ovn-sbctl --db=unix:\/var\/run\/ovn\/ovnsb_db.sock --timeout=30 --no-leader-only --format=json/,
    );
    expect(plan.steps).toHaveLength(1);
    const step = plan.steps[0];
    expect(step?.kind).toBe('exec');
    const command = step?.kind === 'exec' ? step.command : '';
    expect(command).toContain(
      `-- set-ssl ${PKI}/ovnsb-privkey.pem ${PKI}/ovnsb-cert.pem ${PKI}/cacert.pem --`,
    );
    expect(command).toContain(
      '-- set-connection role=ovn-controller read-write pssl:6642:10.0.0.1 role= read-write pssl:16642:10.0.0.1',
    );
    expect(command).toContain('-- set Connection pssl:6642:10.0.0.1 inactivity_probe=60000');
    expect(command).toContain('-- set Connection pssl:16642:10.0.0.1 inactivity_probe=60000');
    expect(step?.why).toMatch(
      /no SSL settings yet; listeners \(none\) -> pssl:6642:10.0.0.1 role=ovn-controller/,
    );
    expect(plan.result).toMatchObject({ db: 'sb', ssl: null, listeners: [] });
  });

  it('plans nothing when files and listeners already match', async () => {
    const h = host(configured, [
      ['pssl:16642:10.0.0.1', '', false, 60000],
      ['pssl:6642:10.0.0.1', 'ovn-controller', false, 60000],
    ]);
    const plan = await ovnDbTlsModule.plan(params, planContext(h));
    expect(plan.steps).toEqual([]);
    expect(plan.failed).toBeUndefined();
  });

  it('changes only the probe when only the probe differs', async () => {
    const h = host(configured, [
      ['pssl:6642:10.0.0.1', 'ovn-controller', false, ['set', []]],
      ['pssl:16642:10.0.0.1', '', false, 60000],
    ]);
    const plan = await ovnDbTlsModule.plan(params, planContext(h));
    const command = plan.steps[0]?.kind === 'exec' ? plan.steps[0].command : '';
    expect(command).not.toContain('set-ssl');
    expect(command).not.toContain('set-connection');
    expect(command).toMatch(/-- set Connection pssl:6642:10.0.0.1 inactivity_probe=60000$/);
  });

  it('replaces listeners whose role differs (RBAC switched on) and keeps the SSL row', async () => {
    const h = host(configured, [['pssl:6642:10.0.0.1', '', false, 60000]]);
    const plan = await ovnDbTlsModule.plan(params, planContext(h));
    const command = plan.steps[0]?.kind === 'exec' ? plan.steps[0].command : '';
    expect(command).not.toContain('set-ssl');
    expect(command).toContain('set-connection role=ovn-controller');
    expect(plan.steps[0]?.why).toContain(
      'listeners pssl:6642:10.0.0.1 -> pssl:6642:10.0.0.1 role=ovn-controller',
    );
  });

  it('passes protocols and ciphers to set-ssl when a certificate path changed', async () => {
    const h = host(
      [['/old/key', `${PKI}/ovnsb-cert.pem`, `${PKI}/cacert.pem`, '', '']],
      [
        ['pssl:6642:10.0.0.1', 'ovn-controller', false, 60000],
        ['pssl:16642:10.0.0.1', '', false, 60000],
      ],
    );
    const plan = await ovnDbTlsModule.plan(
      { ...params, ssl_protocols: 'TLSv1.2', ssl_ciphers: 'ECDH+AESGCM' },
      planContext(h),
    );
    const command = plan.steps[0]?.kind === 'exec' ? plan.steps[0].command : '';
    expect(command).toContain(
      `set-ssl ${PKI}/ovnsb-privkey.pem ${PKI}/ovnsb-cert.pem ${PKI}/cacert.pem TLSv1.2 ECDH+AESGCM`,
    );
    expect(plan.steps[0]?.why).toContain('SSL private_key, ssl_protocols, ssl_ciphers changed');
  });

  it('refuses plaintext listeners unless allowed', async () => {
    const plan = await ovnDbTlsModule.plan(
      { ...params, listeners: ['ptcp:6642'] },
      planContext(host([], [])),
    );
    expect(plan.failed).toMatch(/ptcp:6642 is plaintext/);
    const allowed = await ovnDbTlsModule.plan(
      { ...params, listeners: ['ptcp:6642'], allow_plaintext: true },
      planContext(host([], [])),
    );
    expect(allowed.failed).toBeUndefined();
  });

  it('refuses a listener bound to a host name and duplicate listeners', async () => {
    const bad = await ovnDbTlsModule.plan(
      { ...params, listeners: ['pssl:6642:central1'] },
      planContext(host([], [])),
    );
    expect(bad.failed).toMatch(/binds to an IP address/);
    const dup = await ovnDbTlsModule.plan(
      { ...params, listeners: ['pssl:6642', 'pssl:6642'] },
      planContext(host([], [])),
    );
    expect(dup.failed).toMatch(/listed twice/);
  });

  it('fails before touching the database when a file is missing, warns in check mode', async () => {
    const h = host([], [], {});
    const plan = await ovnDbTlsModule.plan(params, planContext(h));
    expect(plan.failed).toMatch(
      /private_key \/etc\/ovn\/pki\/ovnsb-privkey.pem, certificate .* does not exist on central1/,
    );
    expect(h.queries).toEqual([]);
    const checked = await ovnDbTlsModule.plan(params, planContext(host([], [], {}), true));
    expect(checked.failed).toBeUndefined();
    expect(checked.warnings?.[0]).toMatch(/not present yet/);
    expect(checked.steps[0]?.why).toMatch(/^would configure TLS of the SB database/);
  });

  it('reports an unreachable database as a task failure with the ctl error', async () => {
    const h = new FakeHost('central1', {
      files,
      answer: () => ({
        rc: 1,
        stderr:
          'ovn-sbctl: unix:/var/run/ovn/ovnsb_db.sock: database connection failed (No such file or directory)',
      }),
    });
    const plan = await ovnDbTlsModule.plan({ ...params, db: 'sb' }, planContext(h));
    expect(plan.failed).toMatch(
      /cannot read the SB database's SSL and Connection tables .* database connection failed/,
    );
  });

  it('uses ovn-nbctl, the given socket and the NB columns (no RBAC role) for the NB database', async () => {
    const h = new FakeHost('central1', {
      files,
      answer: (cmd) =>
        cmd.includes('--columns=target,inactivity_probe list Connection')
          ? {
              stdout: `${jsonTable(SSL_HEAD, [])}\n${jsonTable(['target', 'inactivity_probe'], [['pssl:6641', 60000]])}`,
            }
          : undefined,
    });
    const plan = await ovnDbTlsModule.plan(
      {
        ...params,
        db: 'nb',
        connection: 'unix:/run/nb.sock',
        timeout: '5',
        listeners: [{ target: 'pssl:6641', inactivity_probe: '60000' }],
      },
      planContext(h),
    );
    expect(h.queries[0]).toMatch(/^ovn-nbctl --db=unix:\/run\/nb.sock --timeout=5 /);
    const command = plan.steps[0]?.kind === 'exec' ? plan.steps[0].command : '';
    expect(command).toContain('-- set-ssl');
    expect(command).not.toContain('set-connection');
    const roled = await ovnDbTlsModule.plan(
      { ...params, db: 'nb', listeners: [{ target: 'pssl:6641', role: 'x' }] },
      planContext(h),
    );
    expect(roled.failed).toMatch(/role and read_only exist on the Southbound database only/);
  });
});
