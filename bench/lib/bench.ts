/**
 * The benchmark: N rig hosts; the full job, the no-op re-run and the haproxy regeneration, each
 * timed for ovnctl and for ansible-playbook (same hosts, same run, interleaved so that load on a
 * shared machine hits both), for each key type; every run's result is checked (verify.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { type Rig, startRig } from '../../test/rig/rig.js';
import { describeMachine, type Machine } from './machine.js';
import { type Measured, measure, median, parseRecap, type Sample } from './measure.js';
import { changedFiles, checkFull, checkRegen, idNames, type Snapshot, snapshot } from './verify.js';
import { createWorkspace, type KeyType, type Workspace } from './workspace.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const OVNCTL_BIN = join(ROOT, 'bin/ovnctl.js');
const OVNCTL_SITE = join(ROOT, 'bench/site.yml');
const ANSIBLE_SITE = join(ROOT, 'bench/ansible/site.yml');

export type Tool = 'ovnctl' | 'ansible';
export type Job = 'full' | 'rerun' | 'regen';
export const JOBS: readonly Job[] = ['full', 'rerun', 'regen'];
export const JOB_LABEL: Record<Job, string> = {
  full: 'full job',
  rerun: 'no-op re-run',
  regen: 'haproxy regen',
};

export interface BenchOptions {
  hosts: number;
  runs: number;
  /** Timed runs of each ansible-playbook job (default: runs); at 50 hosts one run takes minutes. */
  ansibleRuns?: number;
  keyTypes: readonly KeyType[];
  tools: readonly Tool[];
  /** Rig addresses 127.0.<net>.<11...>. */
  net: number;
  /** Bound on one timed command. */
  timeoutMs?: number;
  log?: (line: string) => void;
}

export interface JobStats {
  samples: Sample[];
  wallMs: number;
  cpuMs: number;
  /** The largest tree RSS seen over the samples. */
  peakRssMb: number;
}

export interface Row {
  keyType: KeyType;
  job: Job;
  ovnctl?: JobStats;
  ansible?: JobStats;
  /** Ansible's median wall time over ovnctl's. */
  ratio?: number;
}

export interface BenchResult {
  machine: Machine;
  hosts: number;
  runs: number;
  ansibleRuns: number;
  certificates: number;
  filesPerHost: number;
  tools: Tool[];
  startedAt: string;
  finishedAt: string;
  loadAverageAtEnd: number[];
  rows: Row[];
}

function stats(samples: Sample[]): JobStats {
  return {
    samples,
    wallMs: median(samples.map((s) => s.wallMs)),
    cpuMs: median(samples.map((s) => s.cpuMs)),
    peakRssMb: Math.max(...samples.map((s) => s.treeRssMb)),
  };
}

function commandOf(
  tool: Tool,
  job: Job,
  ws: Workspace,
  hosts: number,
): { argv: string[]; cwd: string; env: NodeJS.ProcessEnv } {
  const regen = job === 'regen' ? ['-e', 'haproxy_pki_regen_cert=true'] : [];
  const { ANSIBLE_INVENTORY: _i, OVNCTL_CONFIG_DIR: _c, ANSIBLE_CONFIG: _a, ...env } = process.env;
  if (tool === 'ovnctl') {
    return {
      argv: [
        process.execPath,
        OVNCTL_BIN,
        'run',
        OVNCTL_SITE,
        '-i',
        'inventory.yml',
        '--forks',
        String(hosts),
        ...regen,
      ],
      cwd: ws.ovnctlDir,
      env: { ...env, CI: 'true', NO_COLOR: '1', HOME: join(ws.ovnctlDir, 'home') },
    };
  }
  return {
    argv: ['ansible-playbook', ANSIBLE_SITE, '-i', 'inventory.yml', '-e', '@bench-vars.yml', ...regen],
    cwd: ws.ansibleDir,
    env: { ...env, ANSIBLE_CONFIG: join(ws.ansibleDir, 'ansible.cfg'), ANSIBLE_NOCOLOR: '1' },
  };
}

class JobFailed extends Error {}

/** Exit status 0 and a recap line for every host; `changed` as the job expects. */
function checkRun(tool: Tool, job: Job, r: Measured, rig: Rig): void {
  const recap = parseRecap(r.stdout);
  const tail = `${r.stdout.split('\n').slice(-30).join('\n')}\n${r.stderr.slice(-3000)}`;
  if (r.status !== 0) throw new JobFailed(`${tool} ${JOB_LABEL[job]} exited with ${r.status}:\n${tail}`);
  for (const h of rig.hosts) {
    const c = recap.get(h.name);
    if (!c) throw new JobFailed(`${tool} ${JOB_LABEL[job]}: no recap line for ${h.name}:\n${tail}`);
    if (c.failed || c.unreachable)
      throw new JobFailed(`${tool} ${JOB_LABEL[job]}: ${h.name} failed:\n${tail}`);
    if (job === 'rerun' && c.changed !== 0)
      throw new JobFailed(`${tool} ${JOB_LABEL[job]}: ${h.name} reports changed=${c.changed}:\n${tail}`);
    if (job !== 'rerun' && c.changed === 0)
      throw new JobFailed(`${tool} ${JOB_LABEL[job]}: ${h.name} reports no change:\n${tail}`);
  }
  if (job === 'rerun' && [...recap.values()].some((c) => c.changed !== 0))
    throw new JobFailed(`${tool} ${JOB_LABEL[job]}: the controller reports a change:\n${tail}`);
}

const sh = promisify(execFile);

/** Ends the ControlPersist masters ansible-playbook left (one per host, by their control socket). */
async function endAnsibleMasters(rig: Rig, ws: Workspace): Promise<void> {
  await Promise.all(
    rig.hosts.map((h) =>
      sh(
        'ssh',
        [
          '-F',
          '/dev/null',
          '-o',
          `ControlPath=${join(ws.ansibleDir, 'cp', `${h.address}-${h.user}`)}`,
          '-O',
          'exit',
          h.address,
        ],
        {
          timeout: 10_000,
        },
      ).catch(() => {}),
    ),
  );
}

export async function runBench(o: BenchOptions): Promise<BenchResult> {
  const log = o.log ?? (() => {});
  const timeoutMs = o.timeoutMs ?? 30 * 60_000;
  const ansibleRuns = Math.min(o.runs, o.ansibleRuns ?? o.runs);
  const machine = describeMachine();
  const startedAt = new Date().toISOString();
  const names = await idNames();
  const rig = await startRig({ hosts: o.hosts, net: o.net, baseOctet: 10 });
  const dir = await mkdtemp(join(tmpdir(), 'ovnctl-bench-'));
  const samples = new Map<string, Sample[]>();
  const add = (tool: Tool, kt: KeyType, job: Job, s: Sample): void => {
    const k = `${tool}/${kt}/${job}`;
    samples.set(k, [...(samples.get(k) ?? []), s]);
  };
  try {
    const ws = await createWorkspace(rig, dir, o.hosts);
    const run = async (tool: Tool, kt: KeyType, job: Job, i: number): Promise<Snapshot> => {
      const c = commandOf(tool, job, ws, o.hosts);
      const r = await measure(c.argv, { cwd: c.cwd, env: c.env, timeoutMs });
      checkRun(tool, job, r, rig);
      add(tool, kt, job, r.sample);
      log(
        `[${kt} ${i + 1}/${tool === 'ansible' ? ansibleRuns : o.runs}] ${tool.padEnd(7)} ${JOB_LABEL[job].padEnd(14)} ${(r.sample.wallMs / 1000).toFixed(2)} s`,
      );
      return snapshot(rig, names);
    };
    for (const kt of o.keyTypes) {
      await ws.useKeyType(kt);
      for (let i = 0; i < o.runs; i++) {
        for (const tool of o.tools) {
          if (tool === 'ansible' && i >= ansibleRuns) continue;
          await ws.resetTool(tool);
          const full = await run(tool, kt, 'full', i);
          const problems = await checkFull(rig, full, kt, 'rabbitmq:rabbitmq');
          if (problems.length)
            throw new JobFailed(`${tool} full job left:\n${problems.slice(0, 20).join('\n')}`);
          const again = await run(tool, kt, 'rerun', i);
          const drift = changedFiles(full, again);
          if (drift.length)
            throw new JobFailed(`${tool} re-run changed files:\n${drift.slice(0, 20).join('\n')}`);
          const regen = await run(tool, kt, 'regen', i);
          const wrong = checkRegen(rig, again, regen);
          if (wrong.length) throw new JobFailed(`${tool} haproxy regen:\n${wrong.slice(0, 20).join('\n')}`);
        }
      }
    }
    if (o.tools.includes('ansible')) await endAnsibleMasters(rig, ws);
  } finally {
    await rig.stop();
    await rm(dir, { recursive: true, force: true });
  }
  const rows: Row[] = [];
  for (const kt of o.keyTypes) {
    for (const job of JOBS) {
      const of = (tool: Tool): JobStats | undefined => {
        const s = samples.get(`${tool}/${kt}/${job}`);
        return s ? stats(s) : undefined;
      };
      const ovnctl = of('ovnctl');
      const ansible = of('ansible');
      rows.push({
        keyType: kt,
        job,
        ...(ovnctl ? { ovnctl } : {}),
        ...(ansible ? { ansible } : {}),
        ...(ovnctl && ansible ? { ratio: ansible.wallMs / ovnctl.wallMs } : {}),
      });
    }
  }
  return {
    machine,
    hosts: o.hosts,
    runs: o.runs,
    ansibleRuns,
    certificates: 2 + 3 * o.hosts,
    filesPerHost: 12,
    tools: [...o.tools],
    startedAt,
    finishedAt: new Date().toISOString(),
    loadAverageAtEnd: loadavg().map((x) => Math.round(x * 100) / 100),
    rows,
  };
}
