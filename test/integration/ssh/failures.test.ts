import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createSshTransport } from '../../../src/transport/ssh/index.js';
import type { Transport } from '../../../src/transport/types.js';
import { descendantsOf, isAlive, waitUntil } from '../../rig/procs.js';
import { type Rig, startRig } from '../../rig/rig.js';
import { rejection, rigSettings } from './helpers.js';

let rig: Rig;
let dir: string;
const open: Transport[] = [];

beforeAll(async () => {
  rig = await startRig({ hosts: 3, baseOctet: 130 });
  dir = mkdtempSync(join(tmpdir(), 'ovnctl-fail-'));
});

afterAll(async () => {
  await Promise.all(open.map((t) => t.close()));
  await rig?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function transport(i: number, overrides: Parameters<typeof rigSettings>[2] = {}): Transport {
  const t = createSshTransport(rigSettings(rig, i, overrides));
  open.push(t);
  return t;
}

describe('unreachable hosts', () => {
  it('fails fast for a stopped sshd while the other hosts keep working', async () => {
    const others = [transport(0), transport(2)];
    await Promise.all(others.map((t) => t.connect()));
    await rig.stopHost(1);
    try {
      const started = Date.now();
      const [e, ...results] = await Promise.all([
        rejection(transport(1).connect()),
        ...others.map((t) => t.exec('hostname')),
      ]);
      expect(Date.now() - started).toBeLessThan(5000);
      expect(e?.code).toBe('unreachable');
      expect(e?.message).toBe('infra2: connection refused by 127.0.0.132:22');
      expect(results.map((r) => (r as { stdout: string }).stdout)).toEqual(['infra1\n', 'infra3\n']);
    } finally {
      await rig.restartHost(1);
    }
  });

  it('turns a dropped connection into unreachable, then fails fast on later calls', async () => {
    const t = transport(1);
    await t.connect();
    const running = rejection(t.exec('sleep 20'));
    await rig.stopHost(1);
    try {
      const e = await running;
      expect(e.code).toBe('unreachable');
      expect(e.message).toMatch(/^infra2: connection lost/);
      const started = Date.now();
      for (const call of [
        t.exec('true'),
        t.stat('/etc'),
        t.writeFileAtomic('/etc/ovn/x', Buffer.from('x'), { mode: 0o600 }),
      ]) {
        const later = await rejection(call);
        expect(later.code).toBe('unreachable');
        expect(later.message).toBe(e.message);
      }
      expect(Date.now() - started).toBeLessThan(1000);
    } finally {
      await rig.restartHost(1);
    }
  });

  it('times out a host that accepts TCP but never speaks SSH', async () => {
    const sockets: Socket[] = [];
    const server: Server = createServer((s) => sockets.push(s));
    await new Promise<void>((resolve) => server.listen(2222, '127.0.0.139', resolve));
    try {
      const t = createSshTransport({
        ...rigSettings(rig, 0),
        host: 'silent',
        address: '127.0.0.139',
        port: 2222,
        connectTimeoutMs: 400,
      });
      const started = Date.now();
      const e = await rejection(t.connect());
      expect(e.message).toBe('silent: timed out after 0.4 s connecting to 127.0.0.139:2222');
      expect(Date.now() - started).toBeLessThan(3000);
      await t.close();
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });
});

describe('authentication', () => {
  const newKey = (name: string, passphrase: string): string => {
    const file = join(dir, name);
    execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', passphrase, '-C', name, '-f', file]);
    return file;
  };

  it('reports a key the host does not accept', async () => {
    const e = await rejection(transport(0, { privateKeyFiles: [newKey('stranger', '')] }).connect());
    expect(e.code).toBe('unreachable');
    expect(e.message).toBe("infra1: authentication as 'root' failed (no accepted key)");
  });

  it('authenticates through ssh-agent', async () => {
    const sock = join(dir, 'agent.sock');
    const agent = spawn('ssh-agent', ['-D', '-a', sock], { stdio: 'ignore' });
    try {
      expect(await waitUntil(() => existsSync(sock), 5000)).toBe(true);
      execFileSync('ssh-add', ['-q', rig.clientKeyFile], {
        env: { ...process.env, SSH_AUTH_SOCK: sock },
        stdio: 'ignore',
      });
      const t = transport(1, { privateKeyFiles: [], agentSocket: sock });
      expect((await t.exec('hostname')).stdout).toBe('infra2\n');
    } finally {
      agent.kill('SIGTERM');
      await waitUntil(() => agent.exitCode !== null || agent.signalCode !== null, 5000);
    }
  });

  it('reports a missing key file by path', async () => {
    const e = await rejection(transport(0, { privateKeyFiles: [join(dir, 'absent')] }).connect());
    expect(e.message).toBe(`cannot read private key file ${join(dir, 'absent')} (ENOENT)`);
  });

  it('asks once for the passphrase of an encrypted key, and never shows it', async () => {
    const passphrase = 'correct horse battery';
    const file = newKey('encrypted', passphrase);
    await rig.authorizeKey(readFileSync(`${file}.pub`, 'utf8'));
    let asked = 0;
    const ask = async () => {
      asked += 1;
      return passphrase;
    };
    const [a, b] = [
      transport(0, { privateKeyFiles: [file], passphrase: ask }),
      transport(2, { privateKeyFiles: [file], passphrase: ask }),
    ];
    await Promise.all([a.connect(), b.connect()]);
    expect((await b.exec('hostname')).stdout).toBe('infra3\n');
    expect(asked).toBe(1);

    const other = newKey('encrypted2', passphrase);
    const wrong = await rejection(
      transport(0, { privateKeyFiles: [other], passphrase: async () => 'not it' }).connect(),
    );
    expect(wrong.message).toBe(`cannot decrypt private key file ${other}: wrong passphrase?`);
    expect(wrong.message).not.toContain('not it');
    const none = await rejection(transport(0, { privateKeyFiles: [other] }).connect());
    expect(none.message).toBe(`private key file ${other} is encrypted and no passphrase is available`);
    expect(`${none.message} ${none.hint}`).not.toContain(passphrase);
  });
});

describe('connections', () => {
  it('reaches a host through a jump host', async () => {
    const h1 = rig.hosts[0];
    const t = transport(2, { proxyJump: { address: h1?.address ?? '', port: 22, user: 'root' } });
    expect((await t.exec('hostname')).stdout).toBe('infra3\n');
    await t.writeFileAtomic('/etc/ovn/via-jump', Buffer.from('j'), { mode: 0o600 });
    expect(readFileSync(join(rig.hostRoot(2), 'etc/ovn/via-jump'), 'utf8')).toBe('j');
  });

  it('close() ends the session on the host and later calls fail', async () => {
    const sshd = rig.pid(1) as number;
    const before = new Set(descendantsOf(sshd));
    const t = createSshTransport(rigSettings(rig, 1));
    await t.readFile('/etc/hostname');
    // This connection's sshd session processes (privileged monitor, user process).
    const ours = descendantsOf(sshd).filter((p) => !before.has(p));
    expect(ours.length).toBeGreaterThan(0);
    await t.close();
    expect(await waitUntil(() => ours.every((p) => !isAlive(p)), 3000)).toBe(true);
    expect((await rejection(t.exec('true'))).message).toBe('infra2: connection already closed');
  });
});

describe('sshd killed in the middle of a large write', () => {
  async function writeAndKill(path: string): Promise<void> {
    const t = transport(0);
    await t.connect();
    const hostDir = join(rig.hostRoot(0), 'etc/rabbitmq');
    const data = Buffer.alloc(128 * 1024 * 1024, 0x5a);
    const writing = rejection(t.writeFileAtomic(path, data, { mode: 0o600 }));
    // Kill once the temp file has grown a little: the transfer is then surely under way.
    const tempGrowing = (): boolean =>
      readdirSync(hostDir).some(
        (n) => n.startsWith('.big.bin.ovnctl-') && statSync(join(hostDir, n)).size > 4 * 1024 * 1024,
      );
    expect(await waitUntil(tempGrowing, 10_000, 2)).toBe(true);
    await rig.killHost(0);
    const e = await writing;
    expect(e.code).toBe('unreachable');
    await rig.restartHost(0);
  }

  it('leaves the old content in place', async () => {
    const target = join(rig.hostRoot(0), 'etc/rabbitmq/big.bin');
    writeFileSync(target, 'old content');
    await writeAndKill('/etc/rabbitmq/big.bin');
    expect(readFileSync(target, 'utf8')).toBe('old content');
  });

  it('leaves no file when there was none', async () => {
    const target = join(rig.hostRoot(0), 'etc/rabbitmq/big.bin');
    rmSync(target);
    await writeAndKill('/etc/rabbitmq/big.bin');
    expect(existsSync(target)).toBe(false);
  });
});
