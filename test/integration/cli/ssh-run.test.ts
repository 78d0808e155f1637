import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CliResult, jsonOf, ovnctl } from '../../helpers/cli.js';
import { makeTree } from '../../helpers/tmp.js';
import { type Rig, startRig } from '../../rig/rig.js';

// The CLI end to end over real sshd hosts: three root logins and one sudo login.
const DEST = '/etc/ssl/ovnctl-test';

const PLAYBOOK = `- name: push files
  hosts: rig
  gather_facts: true
  tasks:
    - name: secret dir
      file: {path: ${DEST}/app, state: directory, mode: "0700", owner: root}
    - name: config
      copy:
        dest: "${DEST}/app/{{ inventory_hostname }}.cfg"
        content: "host={{ inventory_hostname }} short={{ ansible_hostname }}\\n"
        mode: "0600"
        owner: root
        group: root
    - name: payload
      copy: {src: "{{ payload }}", dest: "${DEST}/app/payload.bin", mode: "0644"}
`;

let rig: Rig;
let dir: string;
let cleanup: () => void;
let payload: string;

function run(args: string[] = [], env: Record<string, string> = {}): CliResult {
  return ovnctl(['run', 'push.yml', '-i', 'inventory.yml', '-e', `payload=${payload}`, ...args], {
    cwd: dir,
    env: { HOME: join(dir, 'home'), ...env },
  });
}

function hostFile(i: number, rel: string): string {
  return join(rig.hostRoot(i), DEST, rel);
}

function leftovers(i: number): string[] {
  try {
    return readdirSync(join(rig.hostRoot(i), DEST, 'app')).filter((f) => f.includes('.ovnctl-'));
  } catch {
    return [];
  }
}

beforeAll(async () => {
  rig = await startRig({ hosts: 3, nonRootHost: true, net: 1, baseOctet: 10 });
  const t = makeTree({ 'push.yml': PLAYBOOK, 'inventory.yml': rig.inventory(), 'home/.ssh/.keep': '' });
  dir = t.dir;
  cleanup = t.cleanup;
  payload = join(dir, 'payload.bin');
  // Large enough that a write is in flight when a host is killed.
  writeFileSync(payload, Buffer.alloc(24 * 1024 * 1024, 7));
}, 60_000);

afterAll(async () => {
  await rig?.stop();
  cleanup?.();
});

function setKnownHosts(text: string): void {
  writeFileSync(join(dir, 'known_hosts'), text);
}

describe('ovnctl run over SSH', () => {
  it('pushes to every host (root and sudo logins), then converges with changed=0', () => {
    setKnownHosts(rig.knownHosts());
    const first = run(['--host-key-checking', 'strict', '--output', 'json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    for (const [i, h] of rig.hosts.entries()) {
      expect(readFileSync(hostFile(i, `app/${h.name}.cfg`), 'utf8')).toMatch(
        new RegExp(`^host=${h.name} short=\\S+\\n$`),
      );
      const st = statSync(hostFile(i, `app/${h.name}.cfg`));
      expect(st.mode & 0o777).toBe(0o600);
      expect(st.uid).toBe(0);
      expect(statSync(hostFile(i, 'app/payload.bin')).size).toBe(24 * 1024 * 1024);
      expect(jsonOf(first).stats[h.name]).toMatchObject({ changed: 3, failures: 0, unreachable: 0 });
    }
    // The sudo host wrote root-owned files into a root-only directory.
    const sudoHost = rig.hosts.find((h) => h.become);
    expect(sudoHost).toBeDefined();
    const second = run(['--host-key-checking', 'strict', '--output', 'json']);
    expect(second.code, second.stderr).toBe(0);
    for (const h of rig.hosts) expect(jsonOf(second).stats[h.name]).toMatchObject({ changed: 0, ok: 4 });
  });

  it('refuses an unknown host key under strict, and records it under accept-new', () => {
    setKnownHosts('');
    const strict = run(['--host-key-checking', 'strict']);
    expect(strict.code).toBe(4);
    expect(strict.stdout).toMatch(/UNREACHABLE!.*is not in known_hosts/);
    const acceptNew = run(['--host-key-checking', 'accept-new']);
    expect(acceptNew.code, acceptNew.stdout).toBe(0);
    const recorded = readFileSync(join(dir, 'known_hosts'), 'utf8');
    for (const h of rig.hosts) expect(recorded).toContain(h.address);
  });

  it('refuses a changed host key under accept-new and strict, naming both fingerprints', async () => {
    setKnownHosts(rig.knownHosts());
    await rig.regenerateHostKey(0);
    for (const mode of ['accept-new', 'strict']) {
      const r = run(['--host-key-checking', mode]);
      expect(r.code).toBe(4);
      const line = r.stdout
        .split('\n')
        .find((l) => l.includes(`[${rig.hosts[0]?.name}]`) && l.includes('UNREACHABLE'));
      expect(line).toBeDefined();
      expect(line?.match(/SHA256:[A-Za-z0-9+/]{43}/g)?.length).toBe(2);
      expect(r.stdout).toMatch(new RegExp(`${rig.hosts[1]?.name}\\s+: ok=4`));
    }
    // The stale entry was not replaced: accept-new never overwrites a known key.
    expect(readFileSync(join(dir, 'known_hosts'), 'utf8')).not.toContain(rig.knownHosts().split('\n')[0]);
  });

  it('a stopped host is unreachable (exit 4), the rest finish, a retry file lets the re-run converge', async () => {
    setKnownHosts(rig.knownHosts());
    await rig.stopHost(1);
    const name = rig.hosts[1]?.name as string;
    writeFileSync(hostFile(0, `app/${rig.hosts[0]?.name}.cfg`), 'drift\n');
    const r = run();
    expect(r.code).toBe(4);
    expect(r.stdout).toMatch(new RegExp(`${name}\\s+: ok=0\\s+changed=0\\s+unreachable=1`));
    expect(readFileSync(hostFile(0, `app/${rig.hosts[0]?.name}.cfg`), 'utf8')).not.toBe('drift\n');
    const retry = join(dir, '.ovnctl/retry/push.retry');
    expect(readFileSync(retry, 'utf8').trim()).toBe(name);
    await rig.restartHost(1);
    const again = run(['--limit', `@${retry}`, '--output', 'json']);
    expect(again.code, again.stderr).toBe(0);
    expect(Object.keys(jsonOf(again).stats)).toEqual([name]);
  });

  it('a host killed during a write leaves the old file or the whole new one, never part of it', async () => {
    setKnownHosts(rig.knownHosts());
    writeFileSync(payload, Buffer.alloc(24 * 1024 * 1024, 9));
    const before = readFileSync(hostFile(2, 'app/payload.bin'));
    const child = import('node:child_process').then(({ spawn }) =>
      spawn(
        process.execPath,
        [
          join(process.cwd(), 'bin/ovnctl.js'),
          'run',
          'push.yml',
          '-i',
          'inventory.yml',
          '-e',
          `payload=${payload}`,
        ],
        {
          cwd: dir,
          env: { ...process.env, CI: 'true', HOME: join(dir, 'home') },
          stdio: 'ignore',
        },
      ),
    );
    const proc = await child;
    // Kill host 2 while the payload is being written to it.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && leftovers(2).length === 0) await new Promise((r) => setTimeout(r, 5));
    await rig.killHost(2);
    const code = await new Promise<number>((resolve) => proc.on('exit', (c) => resolve(c ?? -1)));
    expect(code).toBe(4);
    const after = readFileSync(hostFile(2, 'app/payload.bin'));
    expect(after.length).toBe(before.length);
    expect(after[0] === 7 || after[0] === 9).toBe(true);
    expect(after.equals(before) || after.equals(Buffer.alloc(after.length, 9))).toBe(true);
    await rig.restartHost(2);
    const again = run();
    expect(again.code, again.stdout).toBe(0);
    expect(readFileSync(hostFile(2, 'app/payload.bin')).equals(Buffer.alloc(24 * 1024 * 1024, 9))).toBe(true);
  });
});
