import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh/index.js';
import type { Transport } from '../../../src/transport/types.js';
import { mountNamespaceOf, pidsInMountNamespace, waitUntil } from '../../rig/procs.js';
import { type Rig, startRig } from '../../rig/rig.js';
import { rejection, rigSettings } from './helpers.js';

let rig: Rig;
let transports: Transport[] = [];

beforeAll(async () => {
  rig = await startRig({ hosts: 3, baseOctet: 110 });
  transports = rig.hosts.map((_, i) => createSshTransport(rigSettings(rig, i)));
  await Promise.all(transports.map((t) => t.connect()));
});

afterAll(async () => {
  await Promise.all(transports.map((t) => t.close()));
  await rig?.stop();
});

const sha = (b: Buffer | string) => createHash('sha256').update(b).digest('hex');

describe('files over SFTP on 3 hosts', () => {
  it('writes a different file to every host: content, mode 0600 and owner as seen from outside', async () => {
    await Promise.all(
      transports.map((t, i) =>
        t.writeFileAtomic('/etc/haproxy/site.pem', Buffer.from(`key for host ${i}\n`), {
          mode: 0o600,
          owner: 'root',
          group: 'root',
        }),
      ),
    );
    rig.hosts.forEach((_, i) => {
      const file = join(rig.hostRoot(i), 'etc/haproxy/site.pem');
      expect(readFileSync(file, 'utf8')).toBe(`key for host ${i}\n`);
      const st = statSync(file);
      expect(st.mode & 0o7777).toBe(0o600);
      expect([st.uid, st.gid]).toEqual([0, 0]);
      // Atomic write leaves no temp file behind.
      expect(readdirSync(join(rig.hostRoot(i), 'etc/haproxy'))).toEqual(['site.pem']);
    });
  });

  it('replaces an existing file and applies a named owner and group from the host', async () => {
    const t = transports[0] as Transport;
    const path = '/etc/ovn/owned.txt';
    writeFileSync(join(rig.hostRoot(0), path), 'old');
    await t.writeFileAtomic(path, Buffer.from('new'), { mode: 0o640, owner: 'nobody', group: 'nogroup' });
    const st = statSync(join(rig.hostRoot(0), path));
    const nobody = Number(readFileSync('/etc/passwd', 'utf8').match(/^nobody:[^:]*:(\d+):/m)?.[1]);
    const nogroup = Number(readFileSync('/etc/group', 'utf8').match(/^nogroup:[^:]*:(\d+):/m)?.[1]);
    expect([st.uid, st.gid, st.mode & 0o777]).toEqual([nobody, nogroup, 0o640]);
    expect(readFileSync(join(rig.hostRoot(0), path), 'utf8')).toBe('new');
    expect(await t.lookupId('user', 'nobody')).toBe(nobody);
    expect(await t.lookupId('group', 'no-such-group-ovnctl')).toBeNull();
    const e = await rejection(
      t.writeFileAtomic(path, Buffer.from('x'), { mode: 0o600, owner: 'no-such-user-ovnctl' }),
    );
    expect(e.message).toBe("infra1: unknown user 'no-such-user-ovnctl'");
    expect(readFileSync(join(rig.hostRoot(0), path), 'utf8')).toBe('new');
  });

  it('writes a 3 MB file intact', async () => {
    const t = transports[1] as Transport;
    const data = Buffer.alloc(3 * 1024 * 1024 + 17);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 256;
    await t.writeFileAtomic('/etc/rabbitmq/big.bin', data, { mode: 0o644 });
    expect(sha(readFileSync(join(rig.hostRoot(1), 'etc/rabbitmq/big.bin')))).toBe(sha(data));
    expect((await t.readFile('/etc/rabbitmq/big.bin'))?.equals(data)).toBe(true);
  });

  it('hashes many paths in one batch, null for missing files and directories', async () => {
    const t = transports[2] as Transport;
    const root = rig.hostRoot(2);
    writeFileSync(join(root, 'etc/ovn/a.pem'), 'A');
    writeFileSync(join(root, 'etc/ovn/b c.pem'), 'B');
    const hashes = await t.sha256(['/etc/ovn/a.pem', '/etc/ovn/b c.pem', '/etc/ovn/missing.pem', '/etc/ovn']);
    expect(Object.fromEntries(hashes)).toEqual({
      '/etc/ovn/a.pem': sha('A'),
      '/etc/ovn/b c.pem': sha('B'),
      '/etc/ovn/missing.pem': null,
      '/etc/ovn': null,
    });
    expect((await t.sha256([])).size).toBe(0);
  });

  it('stats files, directories and missing paths', async () => {
    const t = transports[0] as Transport;
    const f = await t.stat('/etc/haproxy/site.pem');
    expect(f).toMatchObject({ type: 'file', mode: 0o600, uid: 0, gid: 0, size: 'key for host 0\n'.length });
    expect(
      Math.abs((f?.mtimeMs ?? 0) - statSync(join(rig.hostRoot(0), 'etc/haproxy/site.pem')).mtimeMs),
    ).toBeLessThan(1000);
    expect((await t.stat('/etc/haproxy'))?.type).toBe('directory');
    expect(await t.stat('/etc/haproxy/nope')).toBeNull();
    expect(await t.stat('/nonexistent-dir/x')).toBeNull();
    expect(await t.readFile('/etc/haproxy/nope')).toBeNull();
    expect((await t.readFile('/etc/haproxy/site.pem'))?.toString()).toBe('key for host 0\n');
  });

  it('creates directory trees, sets attributes and removes', async () => {
    const t = transports[0] as Transport;
    await t.mkdir('/etc/ssl/ovnctl-test/ca/private', { mode: 0o700, owner: 'root' });
    const dir = join(rig.hostRoot(0), 'etc/ssl/ovnctl-test/ca/private');
    expect(statSync(dir).mode & 0o7777).toBe(0o700);
    expect(statSync(join(rig.hostRoot(0), 'etc/ssl/ovnctl-test/ca')).isDirectory()).toBe(true);
    await t.mkdir('/etc/ssl/ovnctl-test/ca/private', { mode: 0o750 });
    expect(statSync(dir).mode & 0o7777).toBe(0o750);
    await t.setAttributes('/etc/ssl/ovnctl-test/ca', { mode: 0o711, group: 'nogroup' });
    const ca = statSync(join(rig.hostRoot(0), 'etc/ssl/ovnctl-test/ca'));
    expect(ca.mode & 0o7777).toBe(0o711);
    await t.remove('/etc/ssl/ovnctl-test/ca');
    await t.remove('/etc/ssl/ovnctl-test/ca');
    expect(readdirSync(join(rig.hostRoot(0), 'etc/ssl/ovnctl-test'))).toEqual([]);
    writeFileSync(join(rig.hostRoot(0), 'etc/ovn/plain'), 'x');
    const e = await rejection(t.mkdir('/etc/ovn/plain/sub', { mode: 0o755 }));
    expect(e.message).toBe(
      'infra1: cannot create directory /etc/ovn/plain/sub: /etc/ovn/plain exists and is not a directory',
    );
  });

  it('reports write errors with host and path, and leaves nothing behind', async () => {
    const t = transports[1] as Transport;
    const e = await rejection(
      t.writeFileAtomic('/nonexistent-ovnctl/x.pem', Buffer.from('x'), { mode: 0o600 }),
    );
    expect(e.code).toBe('task-failed');
    expect(e.message).toBe('infra2: cannot write /nonexistent-ovnctl/x.pem: no such file or directory');
  });
});

describe('exec', () => {
  it('runs in the host namespace with stdin, env and cwd', async () => {
    const t = transports[2] as Transport;
    const r = await t.exec('hostname; echo "$GREETING"; pwd; wc -c', {
      stdin: 'twelve bytes',
      env: { GREETING: "it's me" },
      cwd: '/etc/ovn',
    });
    expect(r).toEqual({ rc: 0, stdout: "infra3\nit's me\n/etc/ovn\n12\n", stderr: '' });
  });

  it('returns rc and stderr of a failing command', async () => {
    const r = await (transports[0] as Transport).exec('echo oops >&2; exit 3');
    expect(r).toEqual({ rc: 3, stdout: '', stderr: 'oops\n' });
  });

  it('kills a command that runs past its timeout', async () => {
    const t = transports[0] as Transport;
    const ns = mountNamespaceOf(rig.pid(0) as number) as string;
    const sleeping = () =>
      pidsInMountNamespace(ns).some((p) => {
        try {
          return readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u000030\u0000';
        } catch {
          return false;
        }
      });
    const started = Date.now();
    const running = rejection(t.exec('sleep 30', { timeoutMs: 1500 }));
    expect(await waitUntil(sleeping, 1400)).toBe(true);
    const e = await running;
    expect(e.message).toBe('infra1: command timed out after 1500 ms');
    expect(Date.now() - started).toBeLessThan(6000);
    // The remote command itself is gone (signalled, then its channel closed).
    expect(await waitUntil(() => !sleeping(), 3000)).toBe(true);
    // The connection is still usable afterwards.
    expect((await t.exec('echo ok')).stdout).toBe('ok\n');
  });

  it('runs many commands in parallel on one connection (more than sshd MaxSessions default)', async () => {
    const t = transports[1] as Transport;
    const results = await Promise.all(Array.from({ length: 25 }, (_, i) => t.exec(`echo ${i}`)));
    expect(results.map((r) => r.stdout)).toEqual(Array.from({ length: 25 }, (_, i) => `${i}\n`));
  });

  it('runs 10 sequential commands on one connection', async () => {
    const t = transports[0] as Transport;
    const started = performance.now();
    for (let i = 0; i < 10; i++) expect((await t.exec(`echo ${i}`)).stdout).toBe(`${i}\n`);
    const ms = performance.now() - started;
    process.stdout.write(`ssh: 10 sequential execs on one connection: ${ms.toFixed(1)} ms\n`);
  });
});
