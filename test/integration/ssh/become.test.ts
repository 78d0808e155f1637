import { chownSync, mkdirSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh/index.js';
import type { SshSettings } from '../../../src/transport/ssh/settings.js';
import type { Transport } from '../../../src/transport/types.js';
import { type Rig, startRig } from '../../rig/rig.js';
import { PASSWORD_BECOME_USER, TEST_USER, TEST_USER_PASSWORD } from '../../rig/system.js';
import { rejection, rigSettings } from './helpers.js';

let rig: Rig;
let user: number;
const open: Transport[] = [];

beforeAll(async () => {
  rig = await startRig({ hosts: 2, nonRootHost: true, baseOctet: 140 });
  user = rig.hosts.length - 1;
});

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await rig?.stop();
});

function transport(overrides: Partial<SshSettings> = {}): Transport {
  const t = createSshTransport(rigSettings(rig, user, overrides));
  open.push(t);
  return t;
}

const nobodyUid = Number(readFileSync('/etc/passwd', 'utf8').match(/^nobody:[^:]*:(\d+):/m)?.[1]);

describe('become (sudo) for a non-root login', () => {
  it('logs in as the test user and runs commands as root, stdin included', async () => {
    expect(rig.hosts[user]?.user).toBe(TEST_USER);
    const t = transport();
    expect(await t.exec('id -un; cat', { stdin: 'through sudo' })).toEqual({
      rc: 0,
      stdout: 'root\nthrough sudo',
      stderr: '',
    });
    expect((await t.exec('id -un', { becomeUser: TEST_USER })).stdout).toBe(`${TEST_USER}\n`);
    expect(await t.exec('echo err >&2; exit 4')).toEqual({ rc: 4, stdout: '', stderr: 'err\n' });
    const started = performance.now();
    for (let i = 0; i < 10; i++) await t.exec('true');
    process.stdout.write(
      `ssh: 10 sequential execs through sudo: ${(performance.now() - started).toFixed(1)} ms\n`,
    );
  });

  it('writes a root-owned 0600 file into a root-only directory, atomically', async () => {
    const hostDir = join(rig.hostRoot(user), 'etc/ssl/ovnctl-test/private');
    mkdirSync(hostDir, { mode: 0o700 });
    const t = transport();
    await t.writeFileAtomic('/etc/ssl/ovnctl-test/private/key.pem', Buffer.from('PRIVATE\n'), {
      mode: 0o600,
      owner: 'root',
      group: 'root',
    });
    const file = join(hostDir, 'key.pem');
    const st = statSync(file);
    expect([readFileSync(file, 'utf8'), st.mode & 0o7777, st.uid, st.gid]).toEqual([
      'PRIVATE\n',
      0o600,
      0,
      0,
    ]);
    expect(readdirSync(hostDir)).toEqual(['key.pem']);
    // Reads, stat and hashes of root-only files also go through sudo.
    expect((await t.readFile('/etc/ssl/ovnctl-test/private/key.pem'))?.toString()).toBe('PRIVATE\n');
    expect(await t.stat('/etc/ssl/ovnctl-test/private/key.pem')).toMatchObject({
      type: 'file',
      mode: 0o600,
      uid: 0,
    });
    expect(
      (await t.sha256(['/etc/ssl/ovnctl-test/private/key.pem'])).get('/etc/ssl/ovnctl-test/private/key.pem'),
    ).toMatch(/^[0-9a-f]{64}$/);
    await t.mkdir('/etc/ssl/ovnctl-test/private/sub', { mode: 0o700 });
    expect(statSync(join(hostDir, 'sub')).uid).toBe(0);
    await t.remove('/etc/ssl/ovnctl-test/private/sub');
    expect(readdirSync(hostDir)).toEqual(['key.pem']);
  });

  it('without become, the same write is refused by the host', async () => {
    const { become: _unused, ...plain } = rigSettings(rig, user);
    const t = createSshTransport(plain);
    open.push(t);
    const e = await rejection(
      t.writeFileAtomic('/etc/ssl/ovnctl-test/private/other.pem', Buffer.from('x'), { mode: 0o600 }),
    );
    expect(e.message).toBe('infra3: cannot write /etc/ssl/ovnctl-test/private/other.pem: permission denied');
    expect((await t.exec('id -un')).stdout).toBe(`${TEST_USER}\n`);
  });
});

describe('become with a sudo password', () => {
  const asNobody = (password?: string): Partial<SshSettings> => ({
    become: { method: 'sudo', user: PASSWORD_BECOME_USER, ...(password !== undefined ? { password } : {}) },
  });

  it('answers the prompt: exec and SFTP run as the target user, the password never reaches stdin', async () => {
    const t = transport(asNobody(TEST_USER_PASSWORD));
    expect(await t.exec('id -un; cat', { stdin: 'only this' })).toEqual({
      rc: 0,
      stdout: 'nobody\nonly this',
      stderr: '',
    });
    const dir = join(rig.hostRoot(user), 'etc/ovn/nobody');
    mkdirSync(dir);
    chownSync(dir, nobodyUid, 0);
    await t.writeFileAtomic('/etc/ovn/nobody/file', Buffer.from('n'), { mode: 0o640 });
    expect(statSync(join(dir, 'file')).uid).toBe(nobodyUid);
  });

  it('reports a wrong password without repeating it', async () => {
    const t = transport(asNobody('not-the-password'));
    const e = await rejection(t.exec('true'));
    expect(e.code).toBe('task-failed');
    expect(e.message).toBe('infra3: become (sudo -u nobody) failed: sudo rejected the become password');
    // The refusal is remembered: no second sudo attempt (each costs PAM's failure delay).
    const started = Date.now();
    const w = await rejection(t.writeFileAtomic('/etc/ovn/x', Buffer.from('x'), { mode: 0o600 }));
    expect(w.message).toBe(e.message);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(JSON.stringify([e.message, e.hint, w.message])).not.toContain('not-the-password');
  });

  it("passes on sudo's refusal when a password is needed but not given", async () => {
    const e = await rejection(transport(asNobody()).exec('true'));
    expect(e.message).toBe(
      'infra3: become (sudo -u nobody) failed: sudo refused: sudo: a password is required',
    );
  });
});
