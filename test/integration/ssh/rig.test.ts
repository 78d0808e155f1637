import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { load } from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { isAlive, waitUntil } from '../../rig/procs.js';
import { startRig } from '../../rig/rig.js';

function output(child: import('node:child_process').ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    child.stdout?.on('data', (d: Buffer) => {
      text += d.toString();
    });
    child.on('close', () => resolve(text));
  });
}

describe('test rig', () => {
  it('gives each host its own hostname and /etc dirs, an inventory, and cleans up everything', async () => {
    const rig = await startRig({
      hosts: 2,
      nonRootHost: true,
      baseOctet: 160,
      extraBinds: ['/var/lib/ovnctl-rig-test'],
    });
    let longRunner: number | undefined;
    try {
      writeFileSync(join(rig.hostRoot(0), 'etc/haproxy/only-on-1'), 'one');
      writeFileSync(join(rig.hostRoot(1), 'var/lib/ovnctl-rig-test/x'), 'two');
      const probe = (i: number) =>
        output(
          rig.spawnInHost(
            i,
            ['sh', '-c', 'hostname; ls /etc/haproxy; cat /var/lib/ovnctl-rig-test/x 2>/dev/null; echo'],
            {
              stdio: ['ignore', 'pipe', 'ignore'],
            },
          ),
        );
      expect(await probe(0)).toBe('infra1\nonly-on-1\n\n');
      expect(await probe(1)).toBe('infra2\ntwo\n');
      expect(await probe(2)).toBe('infra3\n\n');

      const inventory = load(rig.inventory()) as {
        all: { children: { rig: { hosts: Record<string, Record<string, unknown>> } } };
      };
      const hosts = inventory.all.children.rig.hosts;
      expect(Object.keys(hosts)).toEqual(['infra1', 'infra2', 'infra3']);
      expect(hosts.infra1).toEqual({
        ansible_host: '127.0.0.161',
        ansible_port: 22,
        ansible_user: 'root',
        ansible_ssh_private_key_file: rig.clientKeyFile,
      });
      expect(hosts.infra3).toMatchObject({
        ansible_user: 'ovnctl-test',
        ansible_become: true,
        ansible_become_user: 'root',
      });
      expect(rig.knownHosts().trim().split('\n')).toHaveLength(3);
      expect(readFileSync(rig.knownHostsFile, 'utf8')).toBe(rig.knownHosts());

      const child = rig.spawnInHost(1, ['sleep', '60'], { stdio: 'ignore' });
      longRunner = child.pid;
      expect(longRunner !== undefined && isAlive(longRunner)).toBe(true);
    } finally {
      await rig.stop();
    }
    expect(longRunner !== undefined && (await waitUntil(() => !isAlive(longRunner as number), 1000))).toBe(
      true,
    );
    expect(rig.hosts.map((_, i) => rig.pid(i))).toEqual([undefined, undefined, undefined]);
    expect(existsSync(rig.dir)).toBe(false);
  });

  it('fails clearly when an address is already taken', async () => {
    const first = await startRig({ hosts: 1, baseOctet: 170 });
    try {
      await expect(startRig({ hosts: 1, baseOctet: 170, startTimeoutMs: 3000 })).rejects.toThrow(
        'test rig: 127.0.0.171:22 is already taken (another rig? give each test file its own baseOctet)',
      );
    } finally {
      await first.stop();
    }
  });
});
