import { describe, expect, it } from 'vitest';
import { ovnDbSslModule } from '../../../src/modules/ovn/db-ssl.js';
import { ovnRaftBackupModule, timeStamp } from '../../../src/modules/ovn/raft-backup.js';
import { FakeHost, jsonTable, planContext } from '../ovn/fake-host.js';

describe('ovn_raft_backup', () => {
  const file = '/var/lib/ovn/ovnsb_db.db';
  const host = () => new FakeHost('c1', { files: { [file]: { content: 'raft log' } } });

  it('copies the file into a 0700 directory and writes a standalone database from the copy, saying where', async () => {
    const plan = await ovnRaftBackupModule.plan({ db: 'sb', dest: '/var/backups/ovn' }, planContext(host()));
    const copy = '/var/backups/ovn/ovnsb_db-20260101T000000Z.db';
    const standalone = '/var/backups/ovn/ovnsb_db-20260101T000000Z-standalone.db';
    expect(plan.steps).toEqual([
      expect.objectContaining({ kind: 'mkdir', path: '/var/backups/ovn', mode: 0o700 }),
      expect.objectContaining({
        kind: 'exec',
        command: `cp -p -- ${file} ${copy}.tmp && mv -f -- ${copy}.tmp ${copy}`,
      }),
      expect.objectContaining({
        kind: 'exec',
        command: `ovsdb-tool cluster-to-standalone ${standalone} ${copy}`,
      }),
    ]);
    expect(plan.msg).toBe(
      `backed up OVN_Southbound on c1: ${file} -> ${copy} (standalone copy: ${standalone})`,
    );
    expect(plan.result).toEqual({ db: 'sb', backup: copy, standalone });
  });

  it('skips a missing file, and refuses relative paths and unsafe stamps', async () => {
    const missing = await ovnRaftBackupModule.plan(
      { db: 'nb', dest: '/b' },
      planContext(new FakeHost('c1', {})),
    );
    expect(missing.skipped).toMatch(/ovnnb_db\.db does not exist on c1/);
    const relative = await ovnRaftBackupModule.plan({ db: 'sb', dest: 'backups' }, planContext(host()));
    expect(relative.failed).toMatch(/dest must be an absolute path/);
    const stamp = await ovnRaftBackupModule.plan({ db: 'sb', dest: '/b', stamp: 'a b' }, planContext(host()));
    expect(stamp.failed).toMatch(/stamp "a b"/);
    expect(timeStamp(new Date('2026-11-23T09:03:10.123Z'))).toBe('20261123T090310Z');
  });
});

describe('ovn_db_ssl', () => {
  const params = {
    db: 'nb' as const,
    private_key: '/p/k.pem',
    certificate: '/p/c.pem',
    ca_cert: '/p/ca.pem',
  };
  const files = {
    '/p/k.pem': { content: 'k' },
    '/p/c.pem': { content: 'c' },
    '/p/ca.pem': { content: 'ca' },
  };
  const host = (row: unknown[] | null) =>
    new FakeHost('c1', {
      files,
      answer: (cmd) =>
        cmd.includes('list SSL')
          ? {
              stdout: jsonTable(
                ['private_key', 'certificate', 'ca_cert', 'ssl_protocols', 'ssl_ciphers'],
                row ? [row] : [],
              ),
            }
          : undefined,
    });

  it('sets the SSL files of a database that has none, and only the SSL table', async () => {
    const plan = await ovnDbSslModule.plan(params, planContext(host(null)));
    expect(plan.steps).toEqual([
      expect.objectContaining({
        kind: 'exec',
        command:
          'ovn-nbctl --db=unix:/var/run/ovn/ovnnb_db.sock --timeout=30 --no-leader-only -- set-ssl /p/k.pem /p/c.pem /p/ca.pem',
        why: "set the NB database's SSL files: no SSL settings yet",
      }),
    ]);
  });

  it('plans nothing when the row already holds them, and names what differs otherwise', async () => {
    const same = await ovnDbSslModule.plan(
      params,
      planContext(host(['/p/k.pem', '/p/c.pem', '/p/ca.pem', '', ''])),
    );
    expect(same.steps).toEqual([]);
    const other = await ovnDbSslModule.plan(
      params,
      planContext(host(['/old/k.pem', '/p/c.pem', '/p/ca.pem', '', ''])),
    );
    expect(other.steps[0]?.why).toBe("set the NB database's SSL files: SSL private_key changed");
  });
});
