/**
 * A host whose port 22 accepts TCP but never speaks SSH (a firewall that swallows packets after
 * the SYN, a wedged sshd): it must cost `-T` seconds, not the run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../../helpers/cli.js';
import { runOvnctl } from '../../helpers/cli-process.js';
import { listenSilently, type SilentListener } from '../../helpers/tcp-listener.js';
import { makeTree } from '../../helpers/tmp.js';
import { type Rig, startRig } from '../../rig/rig.js';

const DEST = '/etc/ssl/ovnctl-test';
const PLAYBOOK = `- name: push
  hosts: rig
  gather_facts: true
  tasks:
    - name: config
      copy:
        dest: "${DEST}/silent-{{ inventory_hostname }}.cfg"
        content: "host={{ inventory_hostname }} name={{ ansible_hostname }}\\n"
        mode: "0640"
    - name: second file
      copy: {dest: "${DEST}/silent-2.cfg", content: "two\\n", mode: "0644"}
`;

let rig: Rig;
let dir: string;
let cleanup: () => void;
let silent: SilentListener | undefined;

beforeAll(async () => {
  rig = await startRig({ hosts: 3, net: 2, baseOctet: 10 });
  const t = makeTree({
    'push.yml': PLAYBOOK,
    'inventory.yml': rig.inventory(),
    known_hosts: rig.knownHosts(),
    'home/.ssh/.keep': '',
  });
  dir = t.dir;
  cleanup = t.cleanup;
}, 60_000);

afterAll(async () => {
  await silent?.stop();
  await rig?.stop();
  cleanup?.();
});

const run = (...args: string[]) =>
  runOvnctl(['run', 'push.yml', '-i', 'inventory.yml', '--host-key-checking', 'strict', ...args], {
    cwd: dir,
    env: { HOME: join(dir, 'home') },
  });

describe('a host that accepts TCP but never answers SSH', () => {
  it('is unreachable after -T seconds; the others finish; the retry file lets a re-run converge', async () => {
    const mute = rig.hosts[2];
    if (!mute) throw new Error('rig has no third host');
    await rig.stopHost(2);
    silent = await listenSilently(mute.address, mute.port);

    const started = Date.now();
    const r = await run('-T', '3', '--output', 'json');
    const elapsed = Date.now() - started;
    expect(r.code, r.stderr).toBe(4);
    // It waited for the timeout, and not much longer (the whole run included).
    expect(elapsed).toBeGreaterThanOrEqual(3000);
    expect(elapsed).toBeLessThan(15_000);
    expect(silent.connections()).toBeGreaterThanOrEqual(1);
    const doc = jsonOf(r);
    expect(doc.stats[mute.name]).toMatchObject({ unreachable: 1, ok: 0, changed: 0 });
    const gather = doc.plays[0]?.tasks[0]?.hosts[mute.name];
    expect(gather?.msg).toBe(`${mute.name}: timed out after 3 s connecting to ${mute.address}:22`);
    for (const h of rig.hosts.slice(0, 2)) {
      expect(doc.stats[h.name]).toMatchObject({ changed: 2, failures: 0, unreachable: 0 });
      expect(readFileSync(join(h.root, DEST, `silent-${h.name}.cfg`), 'utf8')).toBe(
        `host=${h.name} name=${h.name}\n`,
      );
    }
    const retry = join(dir, '.ovnctl/retry/push.retry');
    expect(readFileSync(retry, 'utf8')).toBe(`${mute.name}\n`);

    // The host comes back: the retry file targets just it, then a full run changes nothing.
    await silent.stop();
    silent = undefined;
    await rig.restartHost(2);
    const again = await run('--limit', `@${retry}`, '--output', 'json');
    expect(again.code, again.stderr).toBe(0);
    expect(Object.keys(jsonOf(again).stats)).toEqual([mute.name]);
    expect(jsonOf(again).stats[mute.name]).toMatchObject({ changed: 2 });
    const full = await run('--output', 'json');
    expect(full.code, full.stderr).toBe(0);
    for (const h of rig.hosts) expect(jsonOf(full).stats[h.name]).toMatchObject({ changed: 0, failures: 0 });
  });
});
