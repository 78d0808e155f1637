/**
 * `ovnctl certificates regenerate-ca --abort`: flag checks, refusals that change nothing, the
 * state while and after aborting, and a whole abort on this machine (the PKI store only: no service
 * is deployed, so the fleet stage is the CA playbook on localhost).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/cli/main.js';
import { formatList } from '../../../src/lifecycle/list-format.js';
import {
  newState,
  type RotationState,
  readState,
  type Step,
  stateFile,
  writeState,
} from '../../../src/lifecycle/rotation-state.js';
import { parseCertificates } from '../../../src/pki/inspect.js';

let dir: string;
const ROOT = 'ExampleCorpRoot';
const INT = 'ExampleCorpIntermediate';

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ovnctl-abort-'));
  fs.writeFileSync(
    path.join(dir, 'local.yml'),
    'all:\n  hosts:\n    localhost:\n      ansible_connection: local\n',
  );
});
afterEach(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

async function ovnctl(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main([...args, '-i', 'local.yml'], {
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
const cert = (...args: string[]) => ovnctl('certificates', ...args);
const securityLog = () => {
  const f = path.join(dir, '.ovnctl', 'security.log');
  return fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '';
};
const pki = (...p: string[]) => path.join(dir, 'pki', 'roots', ...p);
const serialsOf = (f: string) => parseCertificates(fs.readFileSync(f), f).map((c) => c.serial);

function stateAt(next: Step | 'done', over: Partial<RotationState> = {}): Buffer {
  const s = { ...newState('regenerate-ca', ROOT, undefined), cas: [ROOT, INT], next, ...over };
  writeState(dir, s);
  return fs.readFileSync(stateFile(dir));
}

describe('certificates regenerate-ca --abort: command line', () => {
  it('takes no CA or CA files and belongs to the rotating actions (exit 5, nothing written)', async () => {
    const cases: [string[], RegExp][] = [
      [['regenerate-ca', '--abort', '--ca', ROOT], /--abort takes no --ca/],
      [['set-ca', '--abort', '--cert', 'ca.pem'], /--abort takes no --cert/],
      [['set-ca', '--abort', '--cert', 'ca.pem', '--key', 'ca.key'], /--abort takes no --cert/],
      [['set-ca', '--abort', '--key', 'ca.key'], /--abort takes no --key/],
      [['set-ca', '--abort', '--combined', 'ca.pem'], /--abort takes no --combined/],
      [['set-ca', '--abort', '--pkcs12', 'ca.p12'], /--abort takes no --pkcs12/],
      [['set-ca', '--abort', '--passphrase-file', 'pass'], /--abort takes no --passphrase-file/],
      [['regenerate-ca', '--abort', '--cert', 'ca.pem'], /--abort takes no --cert/],
      [['list', '--abort'], /--abort belongs to regenerate-ca and set-ca/],
      [['renew', '--abort'], /--abort belongs to regenerate-ca and set-ca/],
      [['regenerate-ca', '--abort', '-l', 'localhost'], /--limit does not apply/],
    ];
    for (const [args, message] of cases) {
      const r = await cert(...args);
      expect(r.code, args.join(' ')).toBe(5);
      expect(r.err, args.join(' ')).toMatch(message);
    }
    expect(fs.existsSync(path.join(dir, '.ovnctl'))).toBe(false);
    expect((await cert('--help')).out).toContain('regenerate-ca --abort');
  });

  it('refuses when no rotation is in progress, and changes nothing', async () => {
    const none = await cert('regenerate-ca', '--abort');
    expect(none.code).toBe(5);
    expect(none.err).toMatch(/no CA rotation is in progress/);
    expect(fs.existsSync(stateFile(dir))).toBe(false);

    const done = stateAt('done');
    const r = await cert('set-ca', '--abort');
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/no CA rotation is in progress/);
    expect(fs.readFileSync(stateFile(dir)).equals(done)).toBe(true);
    expect(securityLog()).not.toContain('abort_ca_rotation');
  });

  it('refuses once the new CA is promoted: the only way out is forward; nothing changes', async () => {
    for (const next of ['reissue', 'finish', 'cleanup'] as const) {
      const before = stateAt(next);
      const r = await cert('regenerate-ca', '--abort');
      expect(r.code, next).toBe(5);
      expect(r.err, next).toMatch(
        /is past promote .*the new CA is already current and leaves may already be reissued from it.*the only way out is forward/,
      );
      expect(r.err, next).toMatch(/ovnctl certificates regenerate-ca \(resumes the rotation\)/);
      expect(fs.readFileSync(stateFile(dir)).equals(before), next).toBe(true);
    }
    expect(fs.existsSync(path.join(dir, 'pki'))).toBe(false);
    expect(securityLog()).not.toContain('abort_ca_rotation');
  });

  it('while an abort is unfinished, a plain regenerate-ca refuses and points to --abort', async () => {
    const before = stateAt('trust', { aborting: true });
    const r = await cert('regenerate-ca');
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/is being aborted: finish the abort first/);
    expect(r.err).toMatch(/ovnctl certificates regenerate-ca --abort/);
    expect(fs.readFileSync(stateFile(dir)).equals(before)).toBe(true);
  });

  it('list shows an unfinished abort and an aborted rotation', () => {
    const report = (rotation: RotationState) =>
      formatList({
        generated: '2030-01-01T00:00:00.000Z',
        renew_before_days: 10,
        rotation,
        hosts: {},
        summary: { certificates: 0, ok: 0, renew: 0, error: 0, hosts_with_errors: [] },
      });
    const s = { ...newState('regenerate-ca', ROOT, undefined), cas: [ROOT, INT], next: 'promote' as const };
    s.hosts = { h1: { trust: 'ok', abort: 'failed' }, h2: { trust: 'ok', abort: 'ok' } };
    const aborting = report({ ...s, aborting: true, last_error: 'h1: Reload haproxy: exit 1' });
    expect(aborting).toContain(
      `CA rotation ${s.id} (regenerate-ca) of ${ROOT} (with ${INT}): being aborted (finish with: ovnctl certificates regenerate-ca --abort)`,
    );
    expect(aborting).toContain('  h1: stage 1 ok, abort failed\n  h2: stage 1 ok, abort ok\n');
    expect(aborting).toContain('  last error: h1: Reload haproxy: exit 1');
    const aborted = report({ ...s, next: 'done', aborted: '2030-01-01T00:00:00.000Z' });
    expect(aborted).toContain(
      `CA rotation ${s.id} (regenerate-ca) of ${ROOT} (with ${INT}): aborted 2030-01-01T00:00:00.000Z, before its new CA was promoted: the old CA stays current\n`,
    );
    expect(aborted).not.toContain('h1:');
    // A rotation that finished normally is not shown at all.
    expect(report({ ...s, next: 'done' })).not.toContain('CA rotation');
  });
});

describe('certificates regenerate-ca --abort on this machine', () => {
  it('after stage 1, removes the staged CA and the trust bundle, keeps the current CA, resumes a failed abort, and ends the rotation as aborted', async () => {
    const ca = await ovnctl('run', 'certificate-authority.yml');
    expect(ca.code, ca.out + ca.err).toBe(0);
    const current = [
      pki(ROOT, 'certs', `${ROOT}.crt`),
      pki(ROOT, 'private', `${ROOT}.key.pem`),
      pki(INT, 'certs', `${INT}.crt`),
      pki(INT, 'certs', `${INT}-chain.crt`),
      pki(INT, 'private', `${INT}.key.pem`),
    ];
    const bytes = () => current.map((f) => fs.readFileSync(f).toString('base64'));
    const original = bytes();
    const rootSerial = serialsOf(pki(ROOT, 'certs', `${ROOT}.crt`))[0];
    // The injected fault: promote refuses a CA whose serial is not the one the rotation started from.
    writeState(dir, {
      ...newState('regenerate-ca', '', undefined),
      old_serials: { [ROOT]: 'bad', [INT]: 'bad' },
    });
    const stopped = await cert('regenerate-ca');
    expect(stopped.code, stopped.out + stopped.err).toBe(2);
    expect(stopped.out).toContain('stopped at promote (PKI store)');
    const mid = readState(dir);
    expect(mid).toMatchObject({ ca: ROOT, next: 'promote', hosts: { localhost: { trust: 'ok' } } });
    expect(serialsOf(pki(ROOT, 'certs', `${ROOT}-trust.crt`))).toEqual([rootSerial, mid?.new_serials[ROOT]]);
    expect(fs.existsSync(pki(INT, 'next'))).toBe(true);

    // The abort's fleet stage fails (the CA playbook is given a trust-store entry that does not exist).
    const broken = JSON.stringify({
      openstack_pki_install_ca_on_hosts: true,
      openstack_pki_install_ca: [{ src: path.join(dir, 'missing-ca.crt') }],
      pki_trust_store_dir: path.join(dir, 'store'),
      pki_trust_store_update_command: 'true',
    });
    const failed = await cert('regenerate-ca', '--abort', '-e', broken);
    expect(failed.code, failed.out + failed.err).toBe(2);
    expect(failed.out).toContain(`aborting the regenerate-ca rotation ${mid?.id} of ${ROOT}`);
    expect(failed.out).toContain('abort stopped at abort (hosts back to the old CA)');
    expect(failed.out).toContain('run ovnctl certificates regenerate-ca --abort again');
    expect(readState(dir)).toMatchObject({
      next: 'promote',
      aborting: true,
      hosts: { localhost: { trust: 'ok', abort: 'failed' } },
    });
    expect(fs.existsSync(pki(ROOT, 'next'))).toBe(false);
    // Going forward from a half-done abort is refused; the abort is resumed by the same command.
    const forward = await cert('regenerate-ca');
    expect(forward.code).toBe(5);
    expect(forward.err).toMatch(/is being aborted: finish the abort first/);

    const r = await cert('regenerate-ca', '--abort');
    expect(r.code, r.out + r.err).toBe(0);
    expect(r.out).toContain(`resuming the abort of the regenerate-ca rotation ${mid?.id} of ${ROOT}`);
    expect(r.out).toContain(`CA rotation ${mid?.id} of ${ROOT} aborted`);
    for (const f of [pki(ROOT, 'next'), pki(INT, 'next'), pki(ROOT, 'certs', `${ROOT}-trust.crt`)])
      expect(fs.existsSync(f), f).toBe(false);
    expect(fs.existsSync(pki(INT, 'certs', `${INT}-trust.crt`))).toBe(false);
    expect(bytes()).toEqual(original);
    expect(fs.readdirSync(pki(ROOT, 'certs')).filter((f) => f.endsWith('~'))).toEqual([]);

    const end = readState(dir);
    expect(end).toMatchObject({
      id: mid?.id,
      next: 'done',
      hosts: { localhost: { trust: 'ok', abort: 'ok' } },
    });
    expect(end?.aborting).toBeUndefined();
    expect(Date.parse(end?.aborted ?? '')).toBeGreaterThan(Date.parse(mid?.started ?? ''));
    const events = securityLog()
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((e) => e.action === 'abort_ca_rotation');
    const event = {
      category: 'AUTHZ',
      event: 'authz_admin',
      ca: ROOT,
      rotation: mid?.id,
      command: 'certificates regenerate-ca --abort',
    };
    expect(events).toEqual([
      expect.objectContaining(event),
      expect.objectContaining({ ...event, resume: true }),
    ]);
    expect(events[0]?.resume).toBeUndefined();

    const twice = await cert('regenerate-ca', '--abort');
    expect(twice.code).toBe(5);
    expect(twice.err).toMatch(/no CA rotation is in progress/);
  });
});
