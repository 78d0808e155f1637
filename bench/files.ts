/**
 * `npm run bench -- --hosts N`: N real sshd hosts (the test rig), a playbook writing 5 files per
 * host; prints wall time, controller CPU and peak RSS of the first run and of the no-op re-run
 * (median of --runs, fresh hosts state for each first run).
 */
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { makeTree } from '../test/helpers/tmp.js';
import { startRig } from '../test/rig/rig.js';

const { values } = parseArgs({
  options: { hosts: { type: 'string', default: '10' }, runs: { type: 'string', default: '5' } },
});
const hosts = Number(values.hosts);
const runs = Number(values.runs);

const PLAYBOOK = `- hosts: rig
  gather_facts: false
  tasks:
    - file: {path: /etc/ssl/ovnctl-test/bench, state: directory, mode: "0755"}
    - copy: {dest: "/etc/ssl/ovnctl-test/bench/f{{ item }}.txt", content: "{{ inventory_hostname }} file {{ item }}\\n", mode: "0644"}
      loop: [1, 2, 3, 4, 5]
`;

interface Sample {
  wallMs: number;
  cpuMs: number;
  maxRssMb: number;
}

function timed(cwd: string): Sample {
  const started = process.hrtime.bigint();
  // /usr/bin/time gives the child's CPU and peak RSS.
  const r = spawnSync(
    '/usr/bin/time',
    [
      '-f',
      '%U %S %M',
      process.execPath,
      join(process.cwd(), 'bin/ovnctl.js'),
      'run',
      'bench.yml',
      '-i',
      'inventory.yml',
    ],
    {
      cwd,
      encoding: 'utf8',
      env: { ...process.env, CI: 'true', HOME: join(cwd, 'home') },
    },
  );
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  if (r.status !== 0) throw new Error(`ovnctl failed (${r.status}):\n${r.stdout}\n${r.stderr}`);
  const [user = '0', sys = '0', rssKb = '0'] = (r.stderr.trim().split('\n').pop() ?? '').split(' ');
  return { wallMs, cpuMs: (Number(user) + Number(sys)) * 1000, maxRssMb: Number(rssKb) / 1024 };
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? Number.NaN;
};

function summarise(label: string, samples: Sample[]): string {
  return `${label.padEnd(18)} wall ${median(samples.map((s) => s.wallMs))
    .toFixed(0)
    .padStart(6)} ms   cpu ${median(samples.map((s) => s.cpuMs))
    .toFixed(0)
    .padStart(6)} ms   peak RSS ${Math.max(...samples.map((s) => s.maxRssMb)).toFixed(0)} MB`;
}

const rig = await startRig({ hosts, net: 9, baseOctet: 10 });
const tree = makeTree({ 'bench.yml': PLAYBOOK, 'inventory.yml': rig.inventory(), 'home/.keep': '' });
try {
  writeFileSync(join(tree.dir, 'known_hosts'), rig.knownHosts());
  const first: Sample[] = [];
  const again: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    for (const [h] of rig.hosts.entries())
      rmSync(join(rig.hostRoot(h), 'etc/ssl/ovnctl-test/bench'), { recursive: true, force: true });
    first.push(timed(tree.dir));
    again.push(timed(tree.dir));
  }
  console.log(`ovnctl, ${hosts} hosts x 5 files, median of ${runs} (node ${process.version})`);
  console.log(summarise('first run', first));
  console.log(summarise('no-op re-run', again));
} finally {
  await rig.stop();
  tree.cleanup();
}
