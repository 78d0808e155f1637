/**
 * A handler's service reload that exits non-zero (the generic `service` module): that host
 * fails with the command's own message, the other hosts reload and finish.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jsonOf } from '../../helpers/cli.js';
import { runOvnctl } from '../../helpers/cli-process.js';
import { makeTree } from '../../helpers/tmp.js';
import { type Rig, startRig } from '../../rig/rig.js';

const DEST = '/etc/ssl/ovnctl-test/reload';
const PLAYBOOK = `- name: configure and reload
  hosts: rig
  gather_facts: false
  tasks:
    - name: directory
      file: {path: ${DEST}, state: directory, mode: "0755"}
    - name: config
      copy: {dest: ${DEST}/svc.conf, content: "level={{ level }}\\n", mode: "0644"}
      notify: reload svc
    - name: after the change
      copy: {dest: ${DEST}/stamp, content: "{{ level }}\\n"}
  handlers:
    - name: reload svc
      service: {name: svc, state: reloaded}
`;

// Stands in for the service manager on the hosts; refuses when the host's config is "broken".
const RELOAD = `#!/bin/sh
verb="$1"; name="$2"
if grep -q 'level=broken' ${DEST}/svc.conf; then
  echo "$name: $verb refused: ${DEST}/svc.conf line 1: unknown level 'broken'" >&2
  exit 1
fi
echo "$verb $name" >> ${DEST}/reloads.log
`;

let rig: Rig;
let dir: string;
let cleanup: () => void;

beforeAll(async () => {
  rig = await startRig({ hosts: 3, net: 2, baseOctet: 50 });
  const t = makeTree({
    'play.yml': PLAYBOOK,
    known_hosts: rig.knownHosts(),
    'home/.ssh/.keep': '',
    'reload.sh': RELOAD,
  });
  dir = t.dir;
  cleanup = t.cleanup;
  const inventory = `${rig.inventory()}  vars:\n    ovnctl_service_command: "sh ${join(dir, 'reload.sh')} {verb} {name}"\n`;
  writeFileSync(join(dir, 'inventory.yml'), inventory);
}, 60_000);

afterAll(async () => {
  await rig?.stop();
  cleanup?.();
});

const run = (...extra: string[]) =>
  runOvnctl(['run', 'play.yml', '-i', 'inventory.yml', '--host-key-checking', 'strict', ...extra], {
    cwd: dir,
    env: { HOME: join(dir, 'home') },
  });
const onHost = (i: number, f: string) => join(rig.hostRoot(i), DEST, f);

describe('a service reload that fails', () => {
  it("fails that host with the reload command's message; the others reload", async () => {
    const first = await run('-e', 'level=1');
    expect(first.code, first.stdout + first.stderr).toBe(0);
    for (const [i] of rig.hosts.entries())
      expect(readFileSync(onHost(i, 'reloads.log'), 'utf8')).toBe('reload svc\n');

    // Host 2 gets a config its service rejects.
    const bad = rig.hosts[1]?.name as string;
    const level = JSON.stringify({ level: `{{ 'broken' if inventory_hostname == '${bad}' else 2 }}` });
    const r = await run('-e', level, '--output', 'json');
    expect(r.code, r.stdout + r.stderr).toBe(2);
    const doc = jsonOf(r);
    const handler = doc.plays[0]?.tasks.find((t) => t.task.name === 'reload svc');
    expect(handler?.hosts[bad]).toMatchObject({
      failed: true,
      rc: 1,
      msg: `sh ${join(dir, 'reload.sh')} reload svc exited with 1: svc: reload refused: ${DEST}/svc.conf line 1: unknown level 'broken'`,
    });
    expect(doc.stats[bad]).toMatchObject({ failures: 1 });
    for (const [i, h] of rig.hosts.entries()) {
      if (h.name === bad) continue;
      expect(handler?.hosts[h.name]).toMatchObject({ failed: false, changed: true });
      expect(doc.stats[h.name]).toMatchObject({ failures: 0 });
      expect(readFileSync(onHost(i, 'reloads.log'), 'utf8')).toBe('reload svc\nreload svc\n');
    }
    expect(readFileSync(onHost(1, 'reloads.log'), 'utf8')).toBe('reload svc\n');
    expect(readFileSync(join(dir, '.ovnctl/retry/play.retry'), 'utf8')).toBe(`${bad}\n`);

    // In the plain output too, the failed line carries the command and what it said.
    const again = JSON.stringify({ level: `{{ 'broken' if inventory_hostname == '${bad}' else 3 }}` });
    writeFileSync(onHost(1, 'svc.conf'), 'level=2\n');
    const text = await run('-e', again);
    expect(text.code).toBe(2);
    expect(text.stdout).toMatch(
      new RegExp(`fatal: \\[${bad}\\]: FAILED! => sh \\S+ reload svc exited with 1: svc: reload refused`),
    );
  });
});
