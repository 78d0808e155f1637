/**
 * A target whose file system is full, or read-only: the files already there stay as they were,
 * the host fails with a message naming it and the path, the other hosts carry on.
 * The small file systems are tmpfs mounts inside one host's mount namespace only.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../../helpers/cli.js';
import { runOvnctl } from '../../helpers/cli-process.js';
import { makeTree } from '../../helpers/tmp.js';
import { type Rig, startRig } from '../../rig/rig.js';

const sh = promisify(execFile);
const DEST = '/etc/ssl/ovnctl-test/fs';

const PLAYBOOK = `- name: files on a small file system
  hosts: rig
  gather_facts: false
  tasks:
    - name: config
      copy: {dest: ${DEST}/app.cfg, content: "version={{ version }}\\n", mode: "0644"}
    - name: bundle
      copy: {dest: ${DEST}/bundle.pem, content: "{{ 'B' * bundle_size | int }}\\n", mode: "0600"}
    - name: after
      copy: {dest: ${DEST}/after.txt, content: "{{ version }}\\n"}
`;

let rig: Rig;
let dir: string;
let cleanup: () => void;
const FULL = 1;
const READ_ONLY = 2;

/** Runs a command inside host i's mount namespace (where its tmpfs lives). */
async function inHost(i: number, ...argv: string[]): Promise<void> {
  const pid = rig.pid(i);
  if (pid === undefined) throw new Error(`host ${i} is not running`);
  await sh('nsenter', ['-t', String(pid), '-m', '--', ...argv], { timeout: 10_000 });
}

/** Host i's view of DEST/name, through its sshd's root (the tmpfs is only mounted there). */
function hostView(i: number, name: string): string {
  return join(`/proc/${rig.pid(i)}/root`, DEST, name);
}

beforeAll(async () => {
  rig = await startRig({ hosts: 3, net: 2, baseOctet: 30 });
  const t = makeTree({
    'play.yml': PLAYBOOK,
    'inventory.yml': rig.inventory(),
    known_hosts: rig.knownHosts(),
    'home/.ssh/.keep': '',
  });
  dir = t.dir;
  cleanup = t.cleanup;
  for (const h of rig.hosts) mkdirSync(join(h.root, DEST), { recursive: true });
  await inHost(FULL, 'mount', '-t', 'tmpfs', '-o', 'size=64k,mode=0755', 'ovnctl-full', DEST);
  await inHost(READ_ONLY, 'mount', '-t', 'tmpfs', '-o', 'size=1m,mode=0755', 'ovnctl-ro', DEST);
}, 60_000);

afterAll(async () => {
  await rig?.stop();
  cleanup?.();
});

const run = (version: string, bundleSize: number) =>
  runOvnctl(
    [
      'run',
      'play.yml',
      '-i',
      'inventory.yml',
      '--host-key-checking',
      'strict',
      '--output',
      'json',
      '-e',
      `version=${version}`,
      '-e',
      `bundle_size=${bundleSize}`,
    ],
    { cwd: dir, env: { HOME: join(dir, 'home') } },
  );

describe('a full or read-only target file system', () => {
  it('keeps the old files whole, fails that host naming host and path, and converges once fixed', async () => {
    const first = await run('1', 20_000);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    await inHost(READ_ONLY, 'mount', '-o', 'remount,ro', DEST);
    const oldBundle = 'B'.repeat(20_000);

    // 40 kB more: a full file system cannot hold the new bundle beside the old one (the atomic
    // replace needs both until the rename), and a read-only one takes nothing.
    const r = await run('2', 40_000);
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const doc = jsonOf(r);
    const result = (task: number, host: number) =>
      doc.plays[0]?.tasks[task]?.hosts[rig.hosts[host]?.name ?? ''];
    const full = rig.hosts[FULL]?.name;
    const ro = rig.hosts[READ_ONLY]?.name;
    expect(result(0, FULL)).toMatchObject({ changed: true });
    expect(result(1, FULL)?.msg).toMatch(
      new RegExp(
        `^${full}: cannot write ${DEST}/bundle\\.pem: no space left on the file system \\(\\d+ bytes free, 40001 needed\\)$`,
      ),
    );
    expect(result(0, READ_ONLY)?.msg).toBe(`${ro}: cannot write ${DEST}/app.cfg: read-only file system`);
    expect(doc.stats[full ?? '']).toMatchObject({ failures: 1, changed: 1 });
    expect(doc.stats[ro ?? '']).toMatchObject({ failures: 1, changed: 0 });
    expect(doc.stats[rig.hosts[0]?.name ?? '']).toMatchObject({ failures: 0, changed: 3 });

    expect(readFileSync(hostView(FULL, 'bundle.pem'), 'utf8')).toBe(`${oldBundle}\n`);
    expect(readFileSync(hostView(FULL, 'app.cfg'), 'utf8')).toBe('version=2\n');
    expect(readFileSync(hostView(FULL, 'after.txt'), 'utf8')).toBe('1\n');
    expect(readFileSync(hostView(READ_ONLY, 'bundle.pem'), 'utf8')).toBe(`${oldBundle}\n`);
    expect(readFileSync(hostView(READ_ONLY, 'app.cfg'), 'utf8')).toBe('version=1\n');
    expect(readdirSync(hostView(FULL, '')).filter((f) => f.includes('.ovnctl-'))).toEqual([]);
    const retry = readFileSync(join(dir, '.ovnctl/retry/play.retry'), 'utf8').trim().split('\n');
    expect(retry.sort()).toEqual([full, ro].sort());

    await inHost(FULL, 'mount', '-o', 'remount,size=1m', DEST);
    await inHost(READ_ONLY, 'mount', '-o', 'remount,rw', DEST);
    const fixed = await run('2', 40_000);
    expect(fixed.code, fixed.stdout).toBe(0);
    for (const i of [FULL, READ_ONLY]) {
      expect(readFileSync(hostView(i, 'bundle.pem'), 'utf8')).toBe(`${'B'.repeat(40_000)}\n`);
      expect(readFileSync(hostView(i, 'after.txt'), 'utf8')).toBe('2\n');
    }
    const settled = await run('2', 40_000);
    for (const h of rig.hosts) expect(jsonOf(settled).stats[h.name]).toMatchObject({ changed: 0 });
  });
});
