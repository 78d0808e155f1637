/** The security event log: events from a run's event stream, regen overrides, the file itself. */
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { layer } from '../../../src/config/layers.js';
import { loadInventory } from '../../../src/inventory/load.js';
import { SecurityLog, securityLogSettings } from '../../../src/lifecycle/security-log.js';
import { regenOverrides, SecurityObserver } from '../../../src/lifecycle/security-observer.js';
import type { IssuedRecord } from '../../../src/modules/pki/issued.js';
import type { HostResultEvent, RunEvent } from '../../../src/report/events.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovnctl-seclog-'));
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const file = () => path.join(dir, '.ovnctl', 'security.log');
const lines = () =>
  fs.existsSync(file())
    ? fs
        .readFileSync(file(), 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l))
    : [];
const log = (echo?: (l: string) => void) =>
  new SecurityLog({
    enabled: true,
    file: file(),
    operator: 'alice',
    host: 'deploy1',
    ...(echo ? { echo } : {}),
  });

const rec = (over: Partial<IssuedRecord>): IssuedRecord => ({
  kind: 'certificate',
  name: 'haproxy_infra1-10.0.0.1',
  subject: '/CN=infra1',
  serial: 'abc1',
  not_after: '2030-01-01T00:00:00.000Z',
  action: 'created',
  renewal: false,
  user_provided: false,
  ...over,
});
const result = (
  host: string,
  issued: IssuedRecord[],
  status: HostResultEvent['status'] = 'changed',
): RunEvent => ({
  kind: 'host-result',
  play: 0,
  task: 1,
  host,
  status,
  result: { issued },
  durationMs: 1,
});
const start = (check = false): RunEvent => ({
  kind: 'run-start',
  playbook: '/x/playbooks/haproxy-install.yml',
  check,
  diff: false,
});
const end: RunEvent = {
  kind: 'run-end',
  durationMs: 5,
  stats: {
    infra1: { ok: 1, changed: 1, unreachable: 0, failures: 0, skipped: 0, rescued: 0, ignored: 0 },
    infra2: { ok: 0, changed: 0, unreachable: 1, failures: 0, skipped: 0, rescued: 0, ignored: 0 },
  },
};

describe('security observer', () => {
  it('turns a run into SYS start/end and one AUTHN event per issued certificate or CA', () => {
    const o = new SecurityObserver(log(), { command: 'run' });
    const ca = rec({ kind: 'ca', name: 'Root', subject: '/CN=Root', serial: 'c0', action: 'regenerated' });
    for (const e of [
      start(),
      result('infra1', [ca, rec({})]),
      result('infra2', [ca]),
      result('infra2', [
        rec({ serial: 'abc2', name: 'x', renewal: true, reason: 'expired on 2020-01-01T00:00:00Z' }),
      ]),
      end,
    ])
      o.onEvent(e);
    o.settle(false);
    const ev = lines();
    expect(ev.map((e) => [e.category, e.event])).toEqual([
      ['SYS', 'sys_startup'],
      ['AUTHN', 'authn_password_changed'],
      ['AUTHN', 'authn_password_changed'],
      ['AUTHN', 'authn_password_changed'],
      ['SYS', 'sys_shutdown'],
    ]);
    expect(ev[1]).toMatchObject({
      subject: 'CA',
      ca: 'Root',
      auto_renew: true,
      issue: 'regenerated',
      operator: 'alice',
      host: 'deploy1',
      security: true,
    });
    expect(ev[2]).toMatchObject({
      action: 'issue_certificate',
      service: 'haproxy',
      host: 'infra1',
      certificate: 'haproxy_infra1-10.0.0.1',
      subject: '/CN=infra1',
      auto_renew: false,
    });
    expect(ev[3]).toMatchObject({
      host: 'infra2',
      auto_renew: true,
      reason: 'expired on 2020-01-01T00:00:00Z',
    });
    expect(ev[4]).toMatchObject({
      playbook: 'haproxy-install.yml',
      changed_hosts: ['infra1'],
      unreachable_hosts: ['infra2'],
      failed_hosts: [],
    });
  });

  it('logs nothing issued in check mode, for failed results, or for user CAs as auto-renewed', () => {
    const o = new SecurityObserver(log(), { command: 'run' });
    o.onEvent(start(true));
    o.onEvent(result('infra1', [rec({})]));
    expect(lines().filter((e) => e.category === 'AUTHN')).toEqual([]);
    const o2 = new SecurityObserver(log(), { command: 'certificates renew', renewal: true });
    o2.onEvent(start());
    o2.onEvent(result('infra1', [rec({})], 'failed'));
    o2.onEvent(result('infra1', [rec({ kind: 'ca', name: 'U', user_provided: true })]));
    o2.onEvent(result('infra1', [rec({ serial: 'f1' })]));
    const authn = lines().filter((e) => e.category === 'AUTHN');
    expect(authn.map((e) => [e.subject, e.auto_renew])).toEqual([
      ['CA', false],
      ['/CN=infra1', true],
    ]);
  });

  it('leaves no trace of a run refused as invalid input before it changed anything; logs one that changed something', () => {
    const refused = new SecurityObserver(log(), { command: 'run' });
    refused.onEvent(start());
    refused.onEvent(result('infra1', [], 'failed'));
    refused.onEvent({ ...end, stats: {} } as RunEvent);
    refused.settle(true);
    expect(fs.existsSync(file())).toBe(false);
    const partial = new SecurityObserver(log(), { command: 'run' });
    partial.onEvent(start());
    partial.onEvent(end);
    partial.settle(true);
    expect(lines().map((e) => e.event)).toEqual(['sys_startup', 'sys_shutdown']);
  });

  it('reports -e overrides of regen flags as AUTHZ authz_admin, nothing for user files or empty values', () => {
    const ev = regenOverrides(
      [
        layer('extra vars (user files)', { haproxy_pki_regen_cert: true }),
        layer('extra vars (-e)', {
          haproxy_pki_regen_cert: 'true',
          rabbitmq_pki_regen_cert: '',
          openstack_pki_regen_ca: ['Root'],
          other: 'x',
          pki_regen_cert: 'false',
        }),
      ],
      'run',
    );
    expect(ev).toEqual([
      {
        category: 'AUTHZ',
        event: 'authz_admin',
        action: 'config_set',
        key: 'haproxy_pki_regen_cert',
        value: 'true',
        command: 'run',
      },
      {
        category: 'AUTHZ',
        event: 'authz_admin',
        action: 'config_set',
        key: 'openstack_pki_regen_ca',
        value: '["Root"]',
        command: 'run',
      },
    ]);
  });
});

describe('security log file', () => {
  it('appends JSON lines to a 0600 file (fixing a looser mode), echoes them, and withholds anything that looks like a key', () => {
    fs.mkdirSync(path.dirname(file()), { recursive: true });
    fs.writeFileSync(file(), '', { mode: 0o644 });
    const echoed: string[] = [];
    const l = log((x) => echoed.push(x));
    l.write({ category: 'SYS', event: 'sys_startup' });
    l.write({
      category: 'AUTHN',
      event: 'authn_password_changed',
      // A real key, made here: no key material is kept in the repository.
      note: generateKeyPairSync('ed25519').privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    });
    expect(fs.statSync(file()).mode & 0o777).toBe(0o600);
    const ev = lines();
    expect(ev[0]).toMatchObject({
      category: 'SYS',
      event: 'sys_startup',
      operator: 'alice',
      controller: 'deploy1',
    });
    expect(ev[1]).toMatchObject({ category: 'AUTHN', withheld: 'the event held PEM text' });
    expect(fs.readFileSync(file(), 'utf8')).not.toContain('PRIVATE KEY');
    expect(echoed).toHaveLength(2);
    expect(echoed[0]).toMatch(/^security: \{/);
  });

  it('takes its settings from the inventory and extra vars; security_logging: false turns it off', () => {
    fs.writeFileSync(
      path.join(dir, 'inv.yml'),
      'all:\n  vars:\n    security_log_file: logs/sec.jsonl\n  hosts:\n    h1:\n',
    );
    const inv = loadInventory(['inv.yml'], dir);
    const s = securityLogSettings(inv, [], dir, { OVNCTL_OPERATOR: 'bob' }, undefined);
    expect(s).toMatchObject({ enabled: true, file: path.join(dir, 'logs/sec.jsonl'), operator: 'bob' });
    const off = securityLogSettings(
      inv,
      [layer('extra vars (-e)', { security_logging: 'false' })],
      dir,
      {},
      undefined,
    );
    expect(off.enabled).toBe(false);
    new SecurityLog(off).write({ category: 'SYS', event: 'sys_startup' });
    expect(fs.existsSync(off.file)).toBe(false);
    expect(securityLogSettings(inv, [], dir, { SUDO_USER: 'carol' }, undefined).operator).toBe('carol');
    expect(() =>
      securityLogSettings(inv, [layer('x', { security_log_file: '{{ x }}/a' })], dir, {}, undefined),
    ).toThrow(/plain path/);
  });
});
