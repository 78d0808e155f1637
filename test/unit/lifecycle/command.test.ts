/** `ovnctl certificates`: argument checks, refusals before anything runs, state file and text output. */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import type { FleetReport } from '../../../src/lifecycle/fleet-report.js';
import { dueWithin, needsAttention } from '../../../src/lifecycle/fleet-report.js';
import { formatList } from '../../../src/lifecycle/list-format.js';
import {
  describeStep,
  newState,
  readState,
  stateFile,
  writeState,
} from '../../../src/lifecycle/rotation-state.js';
import type { CertFact } from '../../../src/modules/lifecycle/fact-types.js';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovnctl-certcmd-'));
  fs.writeFileSync(
    path.join(dir, 'inv.yml'),
    'all:\n  children:\n    haproxy_all:\n      hosts:\n        h1:\n          ansible_host: 127.0.3.250\n    other:\n      hosts:\n        h2:\n',
  );
});
beforeEach(() => {
  fs.writeFileSync(path.join(dir, 'bare.yml'), 'all:\n  hosts:\n    h9:\n');
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(['certificates', ...args], {
    stdout: (t) => {
      out += t;
    },
    stderr: (t) => {
      err += t;
    },
    env: { HOME: dir },
    cwd: dir,
    isTTY: false,
  });
  return { code, out, err };
}

describe('ovnctl certificates: usage', () => {
  it('shows help, and refuses bad command lines with exit 5 before touching anything', async () => {
    expect((await cli('--help')).out).toContain('regenerate-ca [--ca NAME]');
    expect((await cli()).code).toBe(5);
    const cases: [string[], RegExp][] = [
      [['frobnicate'], /unknown action 'frobnicate'/],
      [['reissue'], /reissue takes one service name, or all/],
      [['list', 'extra'], /list takes no arguments/],
      [['list', '--ca', 'X'], /--ca belongs to regenerate-ca and set-ca/],
      [['renew', '--cert', 'x'], /--cert belongs to set-ca/],
      [['regenerate-ca', '-l', 'h1'], /regenerate-ca covers every host: --limit does not apply/],
      [['set-ca', '--key', 'k'], /set-ca takes --cert F --key F, or --combined F, or --pkcs12 F/],
      [['set-ca', '--cert', 'a', '--combined', 'b'], /set-ca takes/],
      [['list', '--output', 'jsonl'], /--output must be text or json/],
      [['reissue', 'nosuch', '-i', 'inv.yml'], /unknown service 'nosuch'/],
      [
        ['reissue', 'rabbitmq', '-i', 'inv.yml'],
        /rabbitmq is not deployed on any host \(group rabbitmq_all is empty\)/,
      ],
      [
        ['reissue', 'haproxy', '-i', 'inv.yml', '-l', 'h2'],
        /haproxy is not deployed on h2 \(not in group haproxy_all\)/,
      ],
      [['reissue', 'all', '-i', 'inv.yml', '-l', 'h2'], /no service with certificates is deployed on h2/],
      [['reissue', 'all', '-i', 'bare.yml'], /no service with certificates is deployed in this inventory/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      expect(r.code, args.join(' ')).toBe(5);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    expect(fs.existsSync(path.join(dir, '.ovnctl', 'lock'))).toBe(false);
  });

  it('set-ca refuses a CA that is not one, or whose key does not match, with exit 6 and nothing written', async () => {
    const key = path.join(dir, 'ca.key');
    const other = path.join(dir, 'other.key');
    for (const k of [key, other])
      execFileSync('openssl', [
        'genpkey',
        '-algorithm',
        'EC',
        '-pkeyopt',
        'ec_paramgen_curve:P-256',
        '-out',
        k,
      ]);
    const ca = path.join(dir, 'ca.crt');
    const leaf = path.join(dir, 'leaf.crt');
    execFileSync('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-out',
      ca,
      '-days',
      '5',
      '-subj',
      '/CN=U',
      '-addext',
      'basicConstraints=critical,CA:TRUE',
      '-addext',
      'keyUsage=critical,keyCertSign',
    ]);
    execFileSync('openssl', [
      'req',
      '-x509',
      '-new',
      '-key',
      key,
      '-out',
      leaf,
      '-days',
      '5',
      '-subj',
      '/CN=L',
      '-addext',
      'basicConstraints=critical,CA:FALSE',
    ]);
    fs.writeFileSync(
      path.join(dir, 'combined.pem'),
      Buffer.concat([fs.readFileSync(ca), fs.readFileSync(other)]),
    );
    const mismatch = await cli('set-ca', '--combined', 'combined.pem', '-i', 'inv.yml');
    expect(mismatch.code).toBe(6);
    expect(mismatch.err).toMatch(/the private key does not match the CA certificate/);
    const notCa = await cli('set-ca', '--cert', leaf, '--key', key, '-i', 'inv.yml');
    expect(notCa.code).toBe(6);
    expect(notCa.err).toMatch(/is not a CA \(no CA:TRUE basic constraint\)/);
    expect(fs.existsSync(path.join(dir, '.ovnctl'))).toBe(false);
  });
});

describe('rotation state and list output', () => {
  it('keeps the state in a private file written whole, and refuses one it cannot read', () => {
    const s = newState('regenerate-ca', 'Root', undefined);
    s.hosts.h1 = { trust: 'ok', reissue: 'failed' };
    writeState(dir, s);
    expect(fs.statSync(stateFile(dir)).mode & 0o777).toBe(0o600);
    expect(readState(dir)).toMatchObject({
      ca: 'Root',
      next: 'prepare',
      hosts: { h1: { reissue: 'failed' } },
    });
    expect(fs.readdirSync(path.dirname(stateFile(dir)))).toEqual(['ca-rotation.json']);
    fs.writeFileSync(stateFile(dir), '{"version": 7}');
    expect(() => readState(dir)).toThrow(/is not a CA rotation state ovnctl can read/);
    expect(describeStep('reissue')).toBe('stage 2/3 (reissue)');
    expect(describeStep('promote')).toBe('promote (PKI store)');
  });

  it("prints MicroOVN-style sections per host, the rotation's progress, and decides the exit and what is due", () => {
    const cert = (over: Partial<CertFact>): CertFact => ({
      name: 'haproxy_h1-10.0.0.1',
      kind: 'certificate',
      user_provided: false,
      files: [
        {
          path: '/etc/haproxy/ssl/haproxy_h1-10.0.0.1.crt',
          role: 'certificate',
          present: true,
          mode: '0644',
        },
        { path: '/etc/haproxy/ssl/haproxy_h1-10.0.0.1.key', role: 'private_key', present: false },
      ],
      subject: '/CN=h1',
      san: ['DNS:h1', 'IP:10.0.0.1'],
      issuer: '/CN=Int',
      serial: 'ab',
      not_after: '2030-01-01T00:00:00Z',
      days_left: 3,
      issued_by: 'previous',
      chain_ok: true,
      key_matches: null,
      endpoints: [{ address: '10.0.0.1', port: 443, serves: false, error: 'connection refused' }],
      status: 'error',
      problems: ['/etc/haproxy/ssl/haproxy_h1-10.0.0.1.key is missing'],
      ...over,
    });
    const s = newState('set-ca', 'Root', { cert: '/u/ca.pem' });
    s.cas = ['Root', 'Int'];
    s.next = 'reissue';
    s.hosts = { h1: { trust: 'ok', reissue: 'failed' } };
    s.last_error = 'h1: Reload haproxy: exit 1';
    const report: FleetReport = {
      generated: '2029-12-29T00:00:00.000Z',
      renew_before_days: 10,
      rotation: s,
      hosts: {
        h1: {
          sections: [{ service: 'haproxy', host: 'h1', renew_before_days: 10, certificates: [cert({})] }],
        },
        h2: { sections: [], error: 'unreachable' },
      },
      summary: { certificates: 1, ok: 0, renew: 0, error: 1, hosts_with_errors: ['h2'] },
    };
    const text = formatList(report);
    expect(text).toContain(`CA rotation ${s.id} (set-ca) of Root (with Int): next stage 2/3 (reissue)`);
    expect(text).toContain('  h1: stage 1 ok, stage 2 failed, stage 3 pending');
    expect(text).toContain('== h1 ==\n[haproxy (TLS VIPs)]\ncertificate haproxy_h1-10.0.0.1\n');
    expect(text).toContain(
      '  /etc/haproxy/ssl/haproxy_h1-10.0.0.1.crt (OK: Present)\n  /etc/haproxy/ssl/haproxy_h1-10.0.0.1.key (Error: Missing file)',
    );
    expect(text).toContain('  expiration date: 2030-01-01T00:00:00Z (3 days left)');
    expect(text).toContain('  issued by: the previous CA (rotation in progress)');
    expect(text).toContain('  served on 10.0.0.1:443: no (connection refused)');
    expect(text).toContain('== h2 ==\nError: unreachable');
    expect(needsAttention(report)).toBe(true);
    const due = dueWithin(report, new Date(report.generated), 10 * 86_400_000);
    expect(due.map((d) => [d.host, d.service, d.cert.name])).toEqual([
      ['h1', 'haproxy', 'haproxy_h1-10.0.0.1'],
    ]);
    expect(dueWithin(report, new Date(report.generated), 86_400_000)).toEqual([]);
  });
});
