/**
 * SIGTERM / SIGINT to ovnctl in the middle of a multi-task playbook on real SSH hosts: exit 99,
 * nothing after the interrupted task starts, no target file half-written, a re-run converges.
 */
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../../helpers/cli.js';
import { type CliProcess, runOvnctl, startOvnctl } from '../../helpers/cli-process.js';
import { makeTree } from '../../helpers/tmp.js';
import { type Rig, startRig } from '../../rig/rig.js';

const DEST = '/etc/ssl/ovnctl-test/int';
const SIZE = 16 * 1024 * 1024;

const PLAYBOOK = `- name: several tasks
  hosts: rig
  gather_facts: false
  tasks:
    - name: directory
      file: {path: ${DEST}, state: directory, mode: "0755"}
    - name: first payload
      copy: {src: "{{ payload }}", dest: ${DEST}/one.bin, mode: "0644"}
    - name: config
      copy: {dest: ${DEST}/app.cfg, content: "version={{ version }}\\n", mode: "0640"}
    - name: slow step
      command: sleep 2
      changed_when: false
    - name: second payload
      copy: {src: "{{ payload }}", dest: ${DEST}/two.bin, mode: "0644"}
    - name: last
      copy: {dest: ${DEST}/done, content: "done {{ version }}\\n"}
`;

let rig: Rig;
let dir: string;
let cleanup: () => void;
let payload: string;
let proc: CliProcess | undefined;

beforeAll(async () => {
  rig = await startRig({ hosts: 3, net: 2, baseOctet: 20 });
  const t = makeTree({
    'play.yml': PLAYBOOK,
    'inventory.yml': rig.inventory(),
    known_hosts: rig.knownHosts(),
    'home/.ssh/.keep': '',
  });
  dir = t.dir;
  cleanup = t.cleanup;
  payload = join(dir, 'payload.bin');
}, 60_000);

afterEach(() => proc?.kill());
afterAll(async () => {
  await rig?.stop();
  cleanup?.();
});

const args = (version: string) => [
  'run',
  'play.yml',
  '-i',
  'inventory.yml',
  '--host-key-checking',
  'strict',
  '-e',
  `payload=${payload}`,
  '-e',
  `version=${version}`,
];
const env = () => ({ HOME: join(dir, 'home') });
const run = (version: string, ...extra: string[]) =>
  runOvnctl([...args(version), ...extra], { cwd: dir, env: env() });
const start = (version: string) => {
  proc = startOvnctl(args(version), { cwd: dir, env: env() });
  return proc;
};

const onHost = (i: number, name: string) => join(rig.hostRoot(i), DEST, name);
const exists = (p: string) => {
  try {
    statSync(p);
    return true;
  } catch {
    return false;
  }
};
/** Temp files of interrupted writes (`.<name>.ovnctl-<random>`). */
const leftovers = (i: number) => {
  try {
    return readdirSync(join(rig.hostRoot(i), DEST)).filter((f) => f.includes('.ovnctl-'));
  } catch {
    return [];
  }
};

async function expectConverges(version: string, fill: number): Promise<void> {
  const again = await run(version);
  expect(again.code, again.stdout + again.stderr).toBe(0);
  for (const [i] of rig.hosts.entries()) {
    for (const f of ['one.bin', 'two.bin'])
      expect(readFileSync(onHost(i, f)).equals(Buffer.alloc(SIZE, fill))).toBe(true);
    expect(readFileSync(onHost(i, 'done'), 'utf8')).toBe(`done ${version}\n`);
  }
  const settled = await run(version, '--output', 'json');
  for (const h of rig.hosts) expect(jsonOf(settled).stats[h.name]).toMatchObject({ changed: 0, failures: 0 });
}

describe('ovnctl interrupted on SSH hosts', () => {
  it('SIGTERM during a task: that task finishes on every host, the next never starts, exit 99', async () => {
    writeFileSync(payload, Buffer.alloc(SIZE, 1));
    const p = start('1');
    await p.waitForOutput(/TASK \[slow step\]/, 60_000);
    p.signal('SIGTERM');
    const exit = await p.exited(30_000);
    expect(exit.code, p.stdout() + p.stderr()).toBe(99);
    expect(p.stderr()).toContain('SIGTERM: stopping after the steps in flight');
    expect(p.stdout()).not.toContain('TASK [second payload]');
    for (const [i] of rig.hosts.entries()) {
      expect(readFileSync(onHost(i, 'one.bin')).equals(Buffer.alloc(SIZE, 1))).toBe(true);
      expect(readFileSync(onHost(i, 'app.cfg'), 'utf8')).toBe('version=1\n');
      expect(statSync(onHost(i, 'app.cfg')).mode & 0o777).toBe(0o640);
      expect(exists(onHost(i, 'two.bin'))).toBe(false);
      expect(exists(onHost(i, 'done'))).toBe(false);
      expect(leftovers(i)).toEqual([]);
    }
    await expectConverges('1', 1);
  });

  it('SIGINT twice during a large write: each target is the old file or the whole new one, then converges', async () => {
    writeFileSync(payload, Buffer.alloc(SIZE, 2));
    const p = start('2');
    await p.waitForOutput(/TASK \[first payload\]/, 60_000);
    p.signal('SIGINT');
    await p.waitForOutput(/SIGINT: stopping after the steps in flight/, 10_000);
    // The second signal as soon as a host is in the middle of writing the new payload.
    const deadline = Date.now() + 20_000;
    while (Date.now() < deadline && !rig.hosts.some((h) => leftovers(h.index).length > 0))
      await new Promise((r) => setTimeout(r, 2));
    expect(rig.hosts.some((h) => leftovers(h.index).length > 0)).toBe(true);
    p.signal('SIGINT');
    const exit = await p.exited(10_000);
    expect(exit.code).toBe(99);
    for (const [i] of rig.hosts.entries()) {
      const now = readFileSync(onHost(i, 'one.bin'));
      expect(now.equals(Buffer.alloc(SIZE, 1)) || now.equals(Buffer.alloc(SIZE, 2)), `host ${i}`).toBe(true);
      expect(readFileSync(onHost(i, 'app.cfg'), 'utf8')).toBe('version=1\n');
      // A write cut short leaves its temp file behind, readable by its owner only.
      for (const f of leftovers(i)) expect(statSync(join(rig.hostRoot(i), DEST, f)).mode & 0o077).toBe(0);
    }
    await expectConverges('2', 2);
  });
});
